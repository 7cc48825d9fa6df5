"""starter.py end to end: the real CLI against a dev server, a real worker and PostgreSQL.

These run `python starter.py ...` as a clerk would, in a subprocess, pointed at servers the
test started (never at a stack `make run` may have left running).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from runtime.config import ROOT
from tests.api_helpers import person_token, serve_api
from worker import build_worker

GOOD = {
    "dispute_type": "debt",
    "title": "Unpaid loan for a tractor",
    "location": {
        "county": "Haibowan District",
        "township": "Qianli Township",
        "village": "East Village",
        "grid": "G-01",
    },
    "parties": [{"name": "张某", "role": "applicant"}, {"name": "刘某", "role": "respondent"}],
    "reported_at": "2026-11-20T09:30:00+08:00",
    "reported_by": {"name": "周网格员", "role": "grid_worker"},
}


@pytest.fixture
async def live(
    dev_env: WorkflowEnvironment, clean_pool: asyncpg.Pool, pg_url: str, tmp_path, payload_keys
):
    """A worker on the real task queue, the API over the same servers, and the environment the
    CLI needs to reach them (and the payload keys the test's clients encrypt with), acting as
    the grid worker of G-01 (a token of theirs)."""
    token = await person_token(clean_pool, "grid", "G-01", "周网格员", "grid_worker")
    async with (
        build_worker(dev_env.client, clean_pool, reports_dir=tmp_path / "reports"),
        serve_api(dev_env.client, clean_pool) as api_url,
    ):
        yield {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": dev_env.client.namespace,
            "DATABASE_URL": pg_url,
            "DISPUTE_PAYLOAD_KEYS": payload_keys.as_text(),
            "DISPUTE_API_URL": api_url,
            "DISPUTE_TOKEN": token,
        }


async def starter(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """Run the CLI in a thread: the worker serving it runs on this test's event loop."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "starter.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def jsonl(*records: dict | str) -> str:
    return (
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)
        + "\n"
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def test_intake_starts_each_case_once_and_makes_it_searchable(live, dev_env, tmp_path):
    path = write(
        tmp_path,
        "cases.jsonl",
        jsonl({**GOOD, "case_id": "E2E-1"}, {**GOOD, "case_id": "E2E-2", "title": "Second loan"}),
    )

    first = await starter(live, "intake", path)
    again = await starter(live, "intake", path)

    assert first.returncode == 0, first.stderr
    assert [
        (r["line"], r["case_id"], r["workflow_id"], r["status"]) for r in lines(first.stdout)
    ] == [
        (1, "E2E-1", "case-E2E-1", "started"),
        (2, "E2E-2", "case-E2E-2", "started"),
    ]
    assert again.returncode == 0
    assert [r["status"] for r in lines(again.stdout)] == ["duplicate", "duplicate"]

    found: set[str] = set()
    for _ in range(100):  # visibility is eventually consistent
        found = {
            wf.id
            async for wf in dev_env.client.list_workflows(
                'CaseLevel="grid" AND Township="Qianli Township"'
            )
        }
        if len(found) == 2:
            break
        await asyncio.sleep(0.1)
    assert found == {"case-E2E-1", "case-E2E-2"}


async def test_status_and_outcome_commands_drive_a_case(live, tmp_path):
    path = write(tmp_path, "one.jsonl", jsonl({**GOOD, "case_id": "E2E-3"}))
    assert (await starter(live, "intake", path)).returncode == 0

    failed = await starter(live, "outcome", "E2E-3", "failed", "--reason", "party abroad")
    refused = await starter(live, "outcome", "E2E-3", "resolved", "--level", "grid")
    status = await starter(live, "status", "E2E-3")

    assert failed.returncode == 0, failed.stderr
    assert refused.returncode == 1
    assert "现在在村(社区)级，不在网格级" in refused.stderr  # the case speaks Chinese
    view = json.loads(status.stdout)
    assert (view["level"], view["status"]) == ("village", "open")
    assert [e["kind"] for e in view["events"]] == [
        "opened",
        "mediation_track",
        "assigned",
        "failed",
        "escalated",
    ]
    # One offset for every time, whole seconds for every duration (issue 12).
    stamps = [view["due_at"], view["opened_at"], *(e["at"] for e in view["events"])]
    assert all(t.endswith("+08:00") for t in stamps), stamps
    assert "+00:00" not in status.stdout
    assert type(view["remaining_seconds"]) is int and type(view["extended_seconds"]) is int


def on_a_terminal(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the CLI with its stdout on a pseudo-terminal, as a clerk's shell runs it."""
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "starter.py", *args], cwd=ROOT, env={**os.environ, **env},
            stdout=follower, stderr=subprocess.PIPE, timeout=120,
        )  # fmt: skip
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
    return done.returncode, out.decode("utf-8").replace("\r\n", "\n")


async def test_status_on_a_terminal_is_a_short_view_in_the_process_language(live, tmp_path):
    path = write(tmp_path, "one.jsonl", jsonl({**GOOD, "case_id": "E2E-TTY"}))
    assert (await starter(live, "intake", path)).returncode == 0

    code, zh = await asyncio.to_thread(on_a_terminal, {**live, "DISPUTE_LANG": "zh"},
                                       "status", "E2E-TTY")  # fmt: skip
    assert code == 0, zh
    lines = zh.splitlines()
    assert lines[0] == "E2E-TTY  Unpaid loan for a tractor"
    assert lines[1].split()[:3] == ["所在", "网格", "G-01"]
    assert any(line.split()[:2] == ["承办人", "周网格员"] for line in lines)
    assert any(line.strip().startswith("时限") and "剩余" in line for line in lines)
    assert any(line.startswith("最近事件") for line in lines)
    assert not zh.lstrip().startswith("{")

    code, en = await asyncio.to_thread(on_a_terminal, live, "--lang", "en", "status", "E2E-TTY")
    assert code == 0 and en.splitlines()[1].split()[:3] == ["Where", "grid", "G-01"]
    code, raw = await asyncio.to_thread(on_a_terminal, live, "status", "E2E-TTY", "--json")
    assert code == 0 and json.loads(raw)["case_id"] == "E2E-TTY"


async def test_failed_outcome_without_reason_is_refused_before_sending(live):
    result = await starter(live, "outcome", "E2E-404", "failed")
    assert result.returncode == 2
    assert "a failed outcome must say why" in result.stderr


async def test_good_records_start_even_when_others_in_the_file_are_rejected(live, tmp_path):
    path = write(
        tmp_path,
        "mixed.jsonl",
        jsonl(
            {**GOOD, "case_id": "E2E-10"},
            '{"case_id": "E2E-11", "title": ',  # broken JSON
            {**GOOD, "case_id": "E2E-12", "dispute_typo": "debt"},  # unknown field
            {**GOOD, "case_id": "E2E-13", "location": {**GOOD["location"], "grid": ""}},
            {**GOOD, "case_id": "E2E-14"},
        ),
    )

    result = await starter(live, "intake", path)

    assert result.returncode == 1
    out = lines(result.stdout)
    assert [(r["line"], r["status"]) for r in out] == [
        (1, "started"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "started"),
    ]
    assert "JSON" in out[1]["errors"][0]["message"]
    assert "dispute_typo" in json.dumps(out[2]["errors"], ensure_ascii=False)
    assert out[3]["errors"][0]["field"] == "location.grid"
    assert await registered_case_ids(live, {"E2E-10", "E2E-14"}) == {"E2E-10", "E2E-14"}


async def registered_case_ids(live, expected: set[str]) -> set[str]:
    """The case ids in the ledger once `expected` are all there (or after 10 s)."""
    conn = await asyncpg.connect(live["DATABASE_URL"])
    try:
        for _ in range(100):  # the worker registers each case in the ledger as it opens it
            ids = {r["case_id"] for r in await conn.fetch("SELECT case_id FROM cases")}
            if ids >= expected:
                break
            await asyncio.sleep(0.1)
        return ids
    finally:
        await conn.close()


async def test_csv_intake_from_stdin_starts_cases(live):
    header = [
        "case_id", "dispute_type", "title", "county", "township", "village", "grid",
        "applicant_name", "reported_at", "reported_by_name", "reported_by_role",
    ]  # fmt: skip
    row = [
        "E2E-20", "wages", "Wages unpaid since August", "Haibowan District", "Qianli Township",
        "East Village", "G-01", "孙某", "2026-11-21T10:00:00+08:00", "周网格员", "grid_worker",
    ]  # fmt: skip
    csv_text = ",".join(header) + "\n" + ",".join(row) + "\n"
    result = await starter(live, "intake", "-", stdin=csv_text)
    assert result.returncode == 0, result.stderr
    assert [r["status"] for r in lines(result.stdout)] == ["started"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "cannot read"),
        ("empty.jsonl", "", "empty"),
        ("cols.csv", "case_id,title\nX-1,Hello\n", "missing"),
    ],
)
async def test_unusable_file_exits_2_with_a_clear_message(live, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = await starter({**live, "DISPUTE_LANG": "en"}, "intake", str(path))

    assert result.returncode == 2
    assert message in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


async def test_bad_policy_file_is_named_in_the_error(live, tmp_path):
    policy = write(tmp_path, "p.toml", 'name = "x"\n[budgets.simple]\ngrid = "soon"\n')
    cases = write(tmp_path, "c.jsonl", jsonl({**GOOD, "case_id": "E2E-30"}))
    result = await starter(live, "intake", cases, "--policy", policy)
    assert result.returncode == 2
    assert "p.toml" in result.stderr and "budgets" in result.stderr


# --- hostile input and lost servers (issue 10) -----------------------------------------------


async def test_hostile_records_are_refused_one_by_one_and_the_rest_start(live, tmp_path):
    deep = '{"case_id": "H-4", "description": ' + "[" * 1000 + "]" * 1000 + "}"
    path = write(
        tmp_path,
        "hostile.jsonl",
        jsonl(
            {**GOOD, "case_id": "H-1", "title": "a\u0000b"},
            {**GOOD, "case_id": "H-2", "parties": [{"name": "x\u0000", "role": "applicant"}]},
            '{"case_id": "H-3", "title": "\\ud800 x"}',
            deep,
            {**GOOD, "case_id": "H-5", "": "v"},
            {**GOOD, "case_id": "H-6"},
            {**GOOD, "case_id": "H-6"},
            {**GOOD, "case_id": "H-6", "title": "Another loan"},
            {**GOOD, "case_id": "H-7"},
        ),
    )

    # In English: the messages below are asserted word for word (Chinese: test_intake_chinese).
    result = await starter({**live, "DISPUTE_LANG": "en"}, "intake", path)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    out = lines(result.stdout)
    assert [(r["line"], r["status"]) for r in out] == [
        (1, "rejected"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "started"),
        (7, "duplicate"),
        (8, "rejected"),
        (9, "started"),
    ]
    fields = [[e["field"] for e in r["errors"]] for r in out]
    # 1,000 levels exhaust the JSON parser itself: the line is refused, not a field.
    assert fields[:5] == [["title"], ["parties.0.name"], ["title"], ["(line)"], ["(empty key)"]]
    assert "NUL" in out[0]["errors"][0]["message"]
    assert "lone surrogate" in out[2]["errors"][0]["message"]
    assert "nested too deeply" in out[3]["errors"][0]["message"]
    assert out[7]["errors"] == [
        {
            "field": "case_id",
            "message": "appears again in this file (first on line 6) with different title: "
            "one case id is one case; give this one its own case_id",
        }
    ]
    assert await registered_case_ids(live, {"H-6", "H-7"}) == {"H-6", "H-7"}


async def test_an_identical_repeat_alone_is_a_duplicate_and_exits_0(live, tmp_path):
    path = write(
        tmp_path, "twice.jsonl", jsonl({**GOOD, "case_id": "H-10"}, {**GOOD, "case_id": "H-10"})
    )

    result = await starter(live, "intake", path)

    assert result.returncode == 0, result.stderr
    assert [r["status"] for r in lines(result.stdout)] == ["started", "duplicate"]


async def test_a_bad_record_under_a_case_id_already_in_the_ledger_is_rejected(live, tmp_path):
    # Found by the fuzz test: a later file's record with a known case id but bad content was
    # reported `duplicate` (carrying its errors); it must be `rejected`, naming the field.
    first = write(tmp_path, "first.jsonl", jsonl({**GOOD, "case_id": "H-11"}))
    again = write(
        tmp_path,
        "again.jsonl",
        jsonl({**GOOD, "case_id": "H-11"}, {**GOOD, "case_id": "H-11", "dispute_type": None}),
    )

    started = await starter(live, "intake", first)
    result = await starter(live, "intake", again)

    assert [r["status"] for r in lines(started.stdout)] == ["started"]
    assert result.returncode == 1
    same, bad = lines(result.stdout)
    assert (same["status"], same["errors"]) == ("duplicate", [])
    assert bad["status"] == "rejected"
    assert "dispute_type" in [e["field"] for e in bad["errors"]]


@pytest.mark.parametrize(
    "args",
    [
        ["extend", "H-20", "1000000000d", "--reason", "r"],
        ["extend-track", "H-20", "99999999999999999999d", "--reason", "r"],
        ["extend-track", "H-20", "3000000d", "--both-parties-consent", "--reason", "r"],
        ["extend", "H-20", "99999999wd", "--reason", "r"],
    ],
)
async def test_huge_durations_are_refused_before_anything_is_sent(live, args):
    result = await starter(live, *args)

    assert result.returncode == 2
    assert "too long" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command", [["intake", "samples/cases.jsonl"], ["report", "--period", "2026-11"]]
)
async def test_an_unreachable_database_is_named(live, tmp_path, command):
    socket_dir = tmp_path / "no-such-socket-dir"
    env = {**live, "DATABASE_URL": f"postgresql://postgres@/disputes?host={socket_dir}",
           "DISPUTE_LANG": "en"}  # fmt: skip

    result = await starter(env, *command)

    assert result.returncode == 2
    assert "cannot reach the database (PostgreSQL)" in result.stderr
    assert f"socket {socket_dir}" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    chinese = await starter({**env, "DISPUTE_LANG": "zh"}, *command)
    assert chinese.returncode == 2
    assert f"无法连接数据库（PostgreSQL）套接字 {socket_dir}" in chinese.stderr


async def test_ctrl_c_reports_what_started_and_a_rerun_finishes_the_rest(live, tmp_path):
    records = [{**GOOD, "case_id": f"INT-{n}"} for n in range(20)]
    env = {**os.environ, **live, "DISPUTE_LANG": "en"}

    def interrupted_run() -> tuple[int, str, str]:
        # Stdin is fed by hand: five records, then Ctrl-C while intake waits for more — the
        # terminal case, where the reader is blocked and must not keep the process alive.
        with (tmp_path / "stderr.txt").open("w+") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "starter.py", "intake", "-"],
                cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=stderr, text=True,
                # A suite run in the background inherits SIGINT ignored: restore it, as on
                # a terminal, so the Ctrl-C below reaches intake.
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )  # fmt: skip
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(jsonl(*records[:5]))
            proc.stdin.flush()
            first = [proc.stdout.readline() for _ in range(5)]
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
            out = "".join(first) + proc.stdout.read()
            stderr.seek(0)
            return code, out, stderr.read()

    code, out, err = await asyncio.to_thread(interrupted_run)

    assert code == 130, err
    assert "Traceback" not in err and "stopped after line 5 (interrupted)" in err
    first_run = lines(out)
    assert [(r["line"], r["status"]) for r in first_run] == [(n, "started") for n in range(1, 6)]
    assert await registered_case_ids(live, {f"INT-{n}" for n in range(5)}) >= {
        f"INT-{n}" for n in range(5)
    }

    again = await starter(live, "intake", write(tmp_path, "all.jsonl", jsonl(*records)))

    assert again.returncode == 0, again.stderr
    assert [r["status"] for r in lines(again.stdout)] == ["duplicate"] * 5 + ["started"] * 15


def test_list_runs_without_loading_temporal_and_refuses_a_bad_filter_with_exit_2():
    # The worklist is asked for many times a day: its process loads neither Temporal's client
    # nor the case workflow (runtime/worklist_cli.py), and still checks its arguments.
    probe = (
        "import sys, starter; code = starter.main(['list', '--due-within', 'soon']); "
        "print(code, 'temporalio.client' in sys.modules, 'workflows.case' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DISPUTE_LANG": "en"},
    )  # fmt: skip

    assert done.stdout.split() == ["2", "False", "False"], done.stderr
    assert done.stderr.startswith("list: --due-within: 'soon' is not a duration")
