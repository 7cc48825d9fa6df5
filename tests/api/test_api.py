"""The HTTP front door end to end: a dev server, a real worker, PostgreSQL, and the API on
a real port. The actor of every action is the token's person; refusals record nothing."""

from __future__ import annotations

import asyncio
import json
import re

import asyncpg
import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from domain.naming import workflow_id_for
from ledger import halted, tokens
from tests.api_helpers import person_token, serve_api
from tests.conftest import PAYLOAD_KEYS
from tests.test_starter import GOOD, jsonl, lines, starter, write
from worker import build_worker


@pytest.fixture
async def front(dev_env: WorkflowEnvironment, clean_pool: asyncpg.Pool, pg_url: str, tmp_path):
    """A worker, the API, and tokens: the grid worker of G-01, one of G-08, an intake service."""
    await clean_pool.execute("TRUNCATE refused_actions")
    grid = await person_token(clean_pool, "grid", "G-01", "周网格员", "grid_worker")
    other = await person_token(clean_pool, "grid", "G-08", "钱网格员", "grid_worker")
    service = (await tokens.issue(clean_pool, "county-hotline", None, "intake"))[1]
    async with (
        build_worker(dev_env.client, clean_pool, reports_dir=tmp_path / "reports"),
        serve_api(dev_env.client, clean_pool) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as http,
    ):
        yield {"http": http, "url": url, "grid": grid, "other": other, "service": service,
               "pool": clean_pool, "pg_url": pg_url, "env": dev_env}  # fmt: skip


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def open_case(front, case_id: str) -> None:
    answer = await front["http"].post(
        "/api/intake",
        content=jsonl({**GOOD, "case_id": case_id}),
        headers={**bearer(front["service"]), "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "started"
    await ledger_kinds(front["pool"], case_id, until="assigned")


async def ledger_kinds(pool: asyncpg.Pool, case_id: str, until: str | None = None) -> list[str]:
    """The case's event kinds in the ledger (once `until` is among them, or after 10 s)."""
    kinds: list[str] = []
    for _ in range(100):
        rows = await pool.fetch(
            "SELECT kind FROM case_events WHERE case_id = $1 ORDER BY seq", case_id
        )
        kinds = [r["kind"] for r in rows]
        if until is None or until in kinds:
            break
        await asyncio.sleep(0.1)
    return kinds


async def test_an_action_lands_in_the_ledger_with_the_tokens_person_as_actor(front):
    await open_case(front, "API-1")

    answer = await front["http"].post(
        "/api/cases/API-1/outcome",
        json={"outcome": "failed", "reason": "party abroad"},
        headers=bearer(front["grid"]),
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["level"], answer.json()["status"]) == ("village", "open")
    await ledger_kinds(front["pool"], "API-1", until="escalated")
    row = await front["pool"].fetchrow(
        "SELECT actor FROM case_events WHERE case_id = 'API-1' AND kind = 'failed'"
    )
    assert row["actor"] == {"name": "周网格员", "role": "grid_worker", "unit": "G-01"}


async def test_a_body_cannot_name_its_own_actor(front):
    await open_case(front, "API-2")
    before = await ledger_kinds(front["pool"], "API-2")

    answer = await front["http"].post(
        "/api/cases/API-2/outcome",
        json={"outcome": "failed", "reason": "x",
              "actor": {"name": "假冒者", "role": "grid_worker", "unit": "G-01"}},
        headers=bearer(front["grid"]),
    )  # fmt: skip

    assert answer.status_code == 422
    assert "actor" in answer.json()["detail"]
    assert await ledger_kinds(front["pool"], "API-2") == before


@pytest.mark.parametrize("who", ["none", "garbage", "revoked", "other_unit"])
async def test_refused_callers_change_nothing(front, who):
    await open_case(front, f"API-R-{who}")
    case_id = f"API-R-{who}"
    before = await ledger_kinds(front["pool"], case_id)
    headers = {}
    if who == "garbage":
        headers = bearer("dt_" + "x" * 43)
    elif who == "revoked":
        token_id, token = await tokens.issue(front["pool"], "周网格员", "G-01", "grid_worker")
        await tokens.revoke(front["pool"], token_id)
        headers = bearer(token)
    elif who == "other_unit":
        headers = bearer(front["other"])

    answer = await front["http"].post(
        f"/api/cases/{case_id}/outcome",
        json={"outcome": "failed", "reason": "not mine"},
        headers=headers,
    )

    await asyncio.sleep(0.5)  # anything recorded would have reached the ledger by now
    assert await ledger_kinds(front["pool"], case_id) == before
    view = (await front["http"].get(f"/api/cases/{case_id}", headers=bearer(front["grid"]))).json()
    assert (view["level"], [e["kind"] for e in view["events"]][-1]) == ("grid", "assigned")
    refusals = await front["pool"].fetch(
        "SELECT name, unit, action, reason, status, source FROM refused_actions WHERE case_id = $1",
        case_id,
    )
    if who == "other_unit":
        assert answer.status_code == 403
        assert "钱网格员" in answer.json()["detail"]
        assert "不负责案件" in answer.json()["detail"]
        assert [(r["name"], r["unit"], r["action"]) for r in refusals] == [
            ("钱网格员", "G-08", "outcome")
        ]
        assert "不负责案件" in refusals[0]["reason"]
        assert (refusals[0]["status"], refusals[0]["source"]) == (403, "127.0.0.1")
    else:
        assert answer.status_code == 401
        # Audited too, with no person: the token named nobody.
        assert [(r["name"], r["action"], r["status"]) for r in refusals] == [(None, "outcome", 401)]
        assert refusals[0]["source"] == "127.0.0.1"


async def test_a_person_who_left_the_roster_is_shut_out(front):
    await front["pool"].execute("UPDATE roster SET active = false WHERE name = '钱网格员'")
    answer = await front["http"].get("/api/me", headers=bearer(front["other"]))
    assert answer.status_code == 401


async def test_worklist_and_case_page_of_the_caller(front):
    await open_case(front, "API-W1")
    http = front["http"]

    mine = (await http.get("/api/cases", headers=bearer(front["grid"]))).json()
    theirs = (await http.get("/api/cases", headers=bearer(front["other"]))).json()
    case = (await http.get("/api/cases/API-W1", headers=bearer(front["grid"]))).json()

    assert [r["case_id"] for r in mine] == ["API-W1"]
    assert (mine[0]["level"], mine[0]["unit"]) == ("grid", "G-01")
    assert mine[0]["seconds_left"] > 0
    assert theirs == []
    assert case["seconds_left"] > 0 and case["time_left"].startswith("剩余")  # Chinese default
    assert mine[0]["time_left"].startswith("剩余")
    assert [e["kind"] for e in case["events"]][:3] == ["opened", "mediation_track", "assigned"]
    # One offset for every time, whole seconds for every duration (as `status --json`).
    times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', json.dumps(case))
    assert times and all(t.endswith("+08:00") for t in times), times
    assert isinstance(case["seconds_left"], int) and isinstance(case["remaining_seconds"], int)
    assert mine[0]["due_at"].endswith("+08:00") and isinstance(mine[0]["seconds_left"], int)
    assert (await http.get("/api/cases", headers=bearer(front["service"]))).status_code == 403
    stranger = await http.get("/api/cases/API-W1", headers=bearer(front["other"]))
    assert stranger.status_code == 403
    assert stranger.json()["detail"] == "钱网格员（G-08）不属于案件 API-W1 的承办单位"
    # English when the caller asks: `?lang=en` or its client's Accept-Language.
    english = await http.get("/api/cases/API-W1?lang=en", headers=bearer(front["other"]))
    assert english.json()["detail"] == "钱网格员 (G-08) is not among the units of case API-W1"
    accept = {**bearer(front["grid"]), "Accept-Language": "en-US,en;q=0.9"}
    case = (await http.get("/api/cases/API-W1", headers=accept)).json()
    assert case["time_left"].endswith(" left") and case["level"] == "grid"  # keys, values: same


async def test_intake_over_http_answers_as_the_cli_does(front, tmp_path):
    def mixed(prefix: str) -> str:
        return jsonl(
            {**GOOD, "case_id": f"{prefix}-1"},
            '{"case_id": "X", "title": ',
            {**GOOD, "case_id": f"{prefix}-3", "dispute_typo": "debt"},
            {**GOOD, "case_id": f"{prefix}-4", "location": {**GOOD["location"], "grid": ""}},
        )

    client = front["env"].client
    env = {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": client.namespace,
        "DATABASE_URL": front["pg_url"],
        "DISPUTE_PAYLOAD_KEYS": PAYLOAD_KEYS.as_text(),  # the CLI encrypts as the tests do
    }
    cli = await starter(env, "intake", write(tmp_path, "c.jsonl", mixed("CLI")))
    http = await front["http"].post(
        "/api/intake", content=mixed("WEB").encode(),
        headers={**bearer(front["service"]), "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    person = await front["http"].post(
        "/api/intake", content=mixed("P").encode(), headers=bearer(front["grid"])
    )

    assert cli.returncode == 1 and http.status_code == 200
    same = lambda rows: json.loads(json.dumps(rows).replace("CLI-", "?-").replace("WEB-", "?-"))  # noqa: E731
    # The same answer, but for the look-alikes: the web's record is the CLI's dispute again,
    # found once the CLI's case reached the ledger (tests/api/test_related_api.py waits for it).
    web_rows, cli_rows = http.json()["results"], lines(cli.stdout)
    assert [r.pop("similar") for r in cli_rows] == [[], [], [], []]
    assert web_rows[0].pop("similar") in ([], ["CLI-1"])
    assert [r.pop("similar") for r in web_rows[1:]] == [[], [], []]
    assert same(web_rows) == same(cli_rows)
    assert (http.json()["started"], http.json()["rejected"]) == (1, 3)
    assert person.status_code == 403


async def test_csv_intake_over_http_answers_as_the_cli_does(front, tmp_path):
    header = ("case_id,dispute_type,title,county,township,village,grid,applicant_name,"
              "reported_at,reported_by_name,reported_by_role")  # fmt: skip
    row = ("{}-1,wages,Wages unpaid,Haibowan District,Qianli Township,East Village,G-01,孙某,"
           "2026-11-21T10:00:00+08:00,周网格员,grid_worker")  # fmt: skip
    bad = ("{}-2,wages,,Haibowan District,Qianli Township,East Village,G-01,孙某,yesterday,"
           "周网格员,grid_worker")  # fmt: skip

    def csv(prefix: str) -> str:
        return "\n".join([header, row.format(prefix), bad.format(prefix)]) + "\n"

    env = {"DATABASE_URL": front["pg_url"],
           "TEMPORAL_ADDRESS": front["env"].client.service_client.config.target_host,
           "DISPUTE_PAYLOAD_KEYS": PAYLOAD_KEYS.as_text()}  # fmt: skip
    cli = await starter(env, "intake", write(tmp_path, "c.csv", csv("CSVCLI")))
    http = await front["http"].post(
        "/api/intake", content=csv("CSVWEB").encode(),
        headers={**bearer(front["service"]), "Content-Type": "text/csv"},
    )  # fmt: skip

    same = lambda rows: json.loads(json.dumps(rows).replace("CSVCLI-", "?").replace("CSVWEB-", "?"))  # noqa: E731
    assert http.status_code == 200, (http.text, cli.stderr)
    assert [r["status"] for r in http.json()["results"]] == ["started", "rejected"]
    # The same answer, but for the look-alikes: the web's record is the CLI's dispute again,
    # found once the CLI's case reached the ledger (tests/api/test_related_api.py waits for it).
    web_rows, cli_rows = http.json()["results"], lines(cli.stdout)
    assert [r.pop("similar") for r in cli_rows] == [[], []]
    assert web_rows[0].pop("similar") in ([], ["CSVCLI-1"])
    assert web_rows[1].pop("similar") == []
    assert same(web_rows) == same(cli_rows)


async def test_limits_answer_clearly(front):
    http, grid = front["http"], bearer(front["grid"])
    big = await http.post("/api/cases/X/outcome", content=b"{" + b" " * 70_000 + b"}",
                          headers={**grid, "Content-Type": "application/json"})  # fmt: skip
    long = await http.post("/api/cases/X/pause", json={"reason": "other", "note": "n" * 5000},
                           headers=grid)  # fmt: skip
    bad = await http.post("/api/cases/X/pause", json={"reason": "holiday"}, headers=grid)
    missing = await http.post("/api/cases/NOPE/resume", json={}, headers=grid)

    assert big.status_code == 413
    assert long.status_code == 422 and "note：最多 4000 个字符" in long.json()["detail"]
    assert bad.status_code == 422 and bad.json()["detail"].startswith("reason:")
    assert missing.status_code == 404 and "没有进行中的案件：NOPE" in missing.json()["detail"]
    assert big.json()["detail"] == "请求内容超过 65536 字节。"


async def test_two_api_processes_share_one_rate_limit_per_token(front, dev_env, clean_pool):
    from api.app import create_app
    from api.auth import Buckets

    # Two API processes behind a balancer: each its own app, one database.
    apps = [create_app(dev_env.client, clean_pool) for _ in range(2)]
    for app in apps:
        app.state.buckets = Buckets(rate=0.01, burst=3)
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")
        for app in apps
    ]
    async with clients[0] as first, clients[1] as second:
        codes = [(await http.get("/api/me", headers=bearer(front["grid"]))).status_code
                 for http in (first, second, first, second, first)]  # fmt: skip
        other = (await second.get("/api/me", headers=bearer(front["other"]))).status_code
    assert codes == [200, 200, 200, 429, 429]
    assert other == 200


async def test_a_partys_token_acts_on_its_own_case_only(front):
    await open_case(front, "API-P1")
    await open_case(front, "API-P2")
    with pytest.raises(tokens.TokenError, match="没有名为 刘某 的申请人"):
        await tokens.issue(front["pool"], "刘某", None, "applicant", "API-P1")
    _, applicant = await tokens.issue(front["pool"], "张某", None, "applicant", "API-P1")
    http = front["http"]

    elsewhere = await http.post("/api/cases/API-P2/escalate", json={"reason": "slow"},
                                headers=bearer(applicant))  # fmt: skip
    listed = (await http.get("/api/cases", headers=bearer(applicant))).json()
    escalated = await http.post("/api/cases/API-P1/escalate", json={"reason": "nothing happens"},
                                headers=bearer(applicant))  # fmt: skip

    assert elsewhere.status_code == 403
    assert elsewhere.json()["detail"] == "张某 的令牌只能操作案件 API-P1"
    assert [r["case_id"] for r in listed] == ["API-P1"]
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["level"] == "village"
    await ledger_kinds(front["pool"], "API-P1", until="escalated")
    actors = await front["pool"].fetch(
        "SELECT actor FROM case_events WHERE case_id = 'API-P1' AND actor->>'name' = '张某'"
    )
    assert actors and all(r["actor"]["role"] == "applicant" for r in actors)
    assert await ledger_kinds(front["pool"], "API-P2") == ["opened", "mediation_track", "assigned"]


async def test_the_process_language_and_lang_choose_the_words(dev_env, clean_pool):
    """Chinese by default; an API process started with DISPUTE_LANG=en (here: `lang`) speaks
    English; `?lang=` on a page is kept in a cookie for the next pages."""
    from api.app import create_app

    async def get(app, path: str, cookies=None, **kwargs) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", cookies=cookies
        ) as http:
            return await http.get(path, **kwargs)

    chinese, english = (
        create_app(dev_env.client, clean_pool),
        create_app(dev_env.client, clean_pool, lang="en"),
    )
    page = await get(chinese, "/signin")
    assert '<html lang="zh-CN">' in page.text and "<h1>登录</h1>" in page.text
    assert "请粘贴管理员发给您的令牌" in page.text
    assert (await get(chinese, "/api/me")).json()["detail"].startswith("缺少令牌")
    page = await get(english, "/signin")
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text
    assert (await get(english, "/api/me")).json()["detail"].startswith("No token")

    asked = await get(chinese, "/signin?lang=en")
    assert "<h1>Sign in</h1>" in asked.text and asked.cookies["dispute_lang"] == "en"
    kept = await get(chinese, "/signin", cookies={"dispute_lang": "en"})
    assert "<h1>Sign in</h1>" in kept.text
    # A browser's Accept-Language does not decide the page; the county's setting does.
    browser = await get(chinese, "/signin", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "<h1>登录</h1>" in browser.text


async def test_a_chunked_body_over_the_limit_is_a_413_too(front):
    async def chunks():
        for _ in range(70):
            yield b" " * 1024  # 70 KiB, no Content-Length: sent chunked

    answer = await front["http"].post(
        "/api/cases/X/outcome",
        content=chunks(),
        headers={**bearer(front["grid"]), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["detail"] == "请求内容超过 65536 字节。"

    async def small_chunks():
        for part in (b"{", b"}"):
            yield part

    small = await front["http"].post(
        "/api/cases/NOPE/resume",
        content=small_chunks(),
        headers={**bearer(front["grid"]), "Content-Type": "application/json"},
    )
    assert small.status_code == 404  # a small chunked body reaches the route whole


async def test_with_the_database_down_the_answer_is_503_naming_it(dev_env):
    import socket

    from api.app import create_app

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = await asyncpg.create_pool(f"postgresql://x@127.0.0.1:{port}/x", min_size=0)
    app = create_app(dev_env.client, dead)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        me = await http.get("/api/me", headers=bearer("dt_" + "x" * 43))
        act = await http.post(
            "/api/cases/X/pause", json={"reason": "other"}, headers=bearer("dt_" + "y" * 43)
        )
    await dead.close()
    for answer in (me, act):
        assert answer.status_code == 503
        assert "PostgreSQL" in answer.json()["detail"]


async def test_starter_audit_lists_every_refusal_with_person_reason_and_address(front):
    await open_case(front, "API-AUDIT")
    http = front["http"]
    await http.post("/api/cases/API-AUDIT/pause", json={"reason": "other"})  # 401: no token
    await http.post("/api/cases/API-AUDIT/pause", json={"reason": "other"},
                    headers=bearer(front["other"]))  # 403: another unit  # fmt: skip
    await http.post("/api/cases/API-AUDIT/pause", json={"reason": "holiday"},
                    headers=bearer(front["grid"]))  # 422: no such reason  # fmt: skip
    await http.post("/api/cases/API-AUDIT/pause", json={"reason": "other"},
                    headers=bearer(front["service"]))  # 403: an intake token  # fmt: skip

    done = await starter({"DATABASE_URL": front["pg_url"]}, "audit", "--case", "API-AUDIT")
    assert done.returncode == 0, done.stderr
    rows = lines(done.stdout)
    assert [(r["status"], r["name"]) for r in rows] == [
        (403, "county-hotline"),
        (422, "周网格员"),
        (403, "钱网格员"),
        (401, None),
    ]
    assert all(r["source"] == "127.0.0.1" and r["action"] == "pause" for r in rows)
    assert all(r["reason"] for r in rows)


async def test_a_case_halted_outside_the_engine_is_marked_and_offers_no_action(front):
    await open_case(front, "API-H1")
    http, pool = front["http"], front["pool"]
    before = (await http.get("/api/cases/API-H1", headers=bearer(front["grid"]))).json()
    await front["env"].client.get_workflow_handle(workflow_id_for("API-H1")).terminate("by hand")
    await halted.mark(pool, "API-H1", "run", "terminated", None, "Diamond Square Community", "x")

    case = (await http.get("/api/cases/API-H1", headers=bearer(front["grid"]))).json()
    [row] = (await http.get("/api/cases", headers=bearer(front["grid"]))).json()
    page = await http.get("/cases/API-H1", headers=bearer(front["grid"]))

    assert before["halted"] is None and before["allowed_actions"]
    assert case["halted"]["status"] == "terminated" and case["halted"]["noticed_at"].endswith(
        "+08:00"
    )
    assert case["allowed_actions"] == [] and case["allowed_duty_actions"] == []
    assert row["case_id"] == "API-H1" and row["halted"] is True
    assert 'id="halted"' in page.text and "被强制终止" in page.text
