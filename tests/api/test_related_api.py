"""Related cases end to end: a second intake of the same dispute is suggested as a duplicate;
merging it ends it as `merged`, links the two both ways and leaves one case in 受理 and the
rates; a related link shows on both cases."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from api.auth import COOKIE
from domain.periods import parse_period
from ledger.reports import assess
from tests.api.test_api import bearer, front, ledger_kinds  # noqa: F401  (the fixture)
from tests.test_starter import GOOD, jsonl

PHONE = "13800000999"


def record(case_id: str, **changes) -> dict:
    parties = [{"name": "张某", "role": "applicant", "phone": PHONE},
               {"name": "刘某", "role": "respondent"}]  # fmt: skip
    return {**GOOD, "case_id": case_id, "parties": parties, **changes}


async def intake(front, *records: dict) -> list[dict]:  # noqa: F811
    answer = await front["http"].post(
        "/api/intake",
        content=jsonl(*records),
        headers={**bearer(front["service"]), "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


async def test_a_second_intake_is_suggested_and_merging_it_counts_one_case(front):  # noqa: F811
    (first,) = await intake(front, record("REL-1"))
    assert (first["status"], first["similar"]) == ("started", [])
    await ledger_kinds(front["pool"], "REL-1", until="assigned")
    # The hotline enters the same dispute: same phone, same village and type.
    hotline = {"name": "12345热线", "role": "hotline"}
    (second,) = await intake(front, record("REL-2", reported_by=hotline))
    assert second["similar"] == ["REL-1"]
    # Another dispute elsewhere, no shared party: nothing suggested.
    elsewhere = {**GOOD["location"], "village": "West Village", "grid": "G-08"}
    other = record("REL-3", parties=[{"name": "王某", "role": "applicant"}], location=elsewhere)
    (third,) = await intake(front, other)
    assert third["similar"] == []
    await ledger_kinds(front["pool"], "REL-2", until="assigned")

    http, grid = front["http"], bearer(front["grid"])
    view = (await http.get("/api/cases/REL-2", headers=grid)).json()
    assert view["similar"] == ["REL-1"] and view["related"] == []
    refused = await http.post("/api/cases/REL-2/merge", json={"into": "NOPE", "reason": "重复"},
                              headers=grid)  # fmt: skip
    assert refused.status_code == 422 and "NOPE" in refused.json()["detail"]
    merged = await http.post("/api/cases/REL-2/merge",
                             json={"into": "REL-1", "reason": "与热线工单为同一纠纷"},
                             headers=grid)  # fmt: skip
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged"
    await ledger_kinds(front["pool"], "REL-2", until="closed")

    survivor = (await http.get("/api/cases/REL-1", headers=grid)).json()
    assert [(r["case_id"], r["link"], r["status"]) for r in survivor["related"]] == [
        ("REL-2", "merged_from", "merged")
    ]
    # REL-2's parties and its history go on on REL-1, each marked as from REL-2.
    assert [(p["name"], p.get("from_case")) for p in survivor["parties"]] == [
        ("张某", None),
        ("刘某", None),
        ("张某", "REL-2"),
        ("刘某", "REL-2"),
    ]
    attached = [e["kind"] for e in survivor["events"] if e.get("from_case") == "REL-2"]
    assert attached[0] == "opened" and "merged" in attached
    own = [e for e in survivor["events"] if "from_case" not in e]
    assert own and all(e["kind"] != "merged" for e in own)
    async with httpx.AsyncClient(base_url=front["url"], cookies={COOKIE: front["grid"]}) as web:
        page = await web.get("/cases/REL-1")
    assert page.status_code == 200
    assert page.text.count('data-from-case="REL-2"') == 2 + len(attached)
    gone = (await http.get("/api/cases/REL-2", headers=grid)).json()
    assert [(r["case_id"], r["link"]) for r in gone["related"]] == [("REL-1", "duplicate_of")]
    # A merged case is suggested no more.
    (fourth,) = await intake(front, record("REL-4"))
    assert fourth["similar"] == ["REL-1"]
    for case_id in ("REL-3", "REL-4"):
        await ledger_kinds(front["pool"], case_id, until="assigned")

    # 受理 counts by the time a case was reported: every record here was reported that day.
    period = parse_period(GOOD["reported_at"][:10])
    metrics, due = await assess(front["pool"], period, datetime.now(UTC))
    township = next(m for m in metrics if m.scope_unit == GOOD["location"]["township"])
    # REL-1 and REL-4 (REL-3 is in the same township too): REL-2 is not received again.
    assert township.received == 3
    # REL-2's merge was a grid worker's act on it (a contact, were it counted), and its
    # history shows on REL-1: still no case was taken up, REL-1's rates are its own.
    assert (township.mediation_rate, township.response_rate) == (0, 0)
    assert "REL-2" not in {d.case_id for d in due}


async def test_two_records_of_one_dispute_in_one_file_the_second_names_the_first(front):  # noqa: F811
    answers = await intake(
        front,
        record("SAME-1"),
        record("SAME-2"),
        record(
            "SAME-3",
            parties=[{"name": "王某", "role": "applicant"}],
            location={**GOOD["location"], "village": "W"},
        ),
    )
    assert [(a["case_id"], a["similar"]) for a in answers] == [
        ("SAME-1", []),
        ("SAME-2", ["SAME-1"]),
        ("SAME-3", []),
    ]
    for case_id in ("SAME-1", "SAME-2", "SAME-3"):
        await ledger_kinds(front["pool"], case_id, until="assigned")


async def test_the_same_phone_alone_suggests_the_earlier_case(front):  # noqa: F811
    # Eleven days later (past the 7 days of "same place"), another village and dispute type:
    # only the party's phone is shared.
    await intake(front, record("PHN-1"))
    await ledger_kinds(front["pool"], "PHN-1", until="assigned")
    elsewhere = {**GOOD["location"], "village": "West Village", "grid": "G-08"}
    later = record("PHN-2", location=elsewhere, dispute_type="neighbour",
                   reported_at="2026-12-01T09:30:00+08:00")  # fmt: skip
    assert GOOD["dispute_type"] != "neighbour"
    (second,) = await intake(front, later)
    assert (second["status"], second["similar"]) == ("started", ["PHN-1"])
    await ledger_kinds(front["pool"], "PHN-2", until="assigned")


async def test_a_related_link_shows_on_both_cases_and_refuses_itself(front):  # noqa: F811
    await intake(front, record("LNK-1"), record("LNK-2", dispute_type="neighbour"))
    await ledger_kinds(front["pool"], "LNK-2", until="assigned")
    await ledger_kinds(front["pool"], "LNK-1", until="assigned")
    http, grid = front["http"], bearer(front["grid"])
    view = (await http.get("/api/cases/LNK-1", headers=grid)).json()
    assert "link" in view["allowed_actions"]  # the catalogue's action, offered to its handler
    self_link = await http.post("/api/cases/LNK-1/link", json={"other": "LNK-1"}, headers=grid)
    assert self_link.status_code == 403
    nowhere = await http.post("/api/cases/LNK-1/link", json={"other": "NOPE"}, headers=grid)
    assert nowhere.status_code == 422 and "NOPE" in nowhere.json()["detail"]
    linked = await http.post("/api/cases/LNK-1/link", json={"other": "LNK-2", "note": "同一楼栋"},
                             headers=grid)  # fmt: skip
    assert linked.status_code == 200, linked.text
    assert [(r["case_id"], r["link"]) for r in linked.json()["related"]] == [("LNK-2", "related")]
    assert linked.json()["events"][-1]["kind"] == "linked"
    back = (await http.get("/api/cases/LNK-2", headers=grid)).json()
    assert [(r["case_id"], r["link"]) for r in back["related"]] == [("LNK-1", "related")]
    stranger = await http.post("/api/cases/LNK-1/link", json={"other": "LNK-2"},
                               headers=bearer(front["other"]))  # fmt: skip
    assert stranger.status_code == 403
    # A case the handler may not read is answered as one that does not exist: linking would
    # show them its title and status.
    elsewhere = {**GOOD["location"], "village": "West Village", "grid": "G-08"}
    await intake(front, record("LNK-3", location=elsewhere))
    unreadable = await http.post("/api/cases/LNK-1/link", json={"other": "LNK-3"}, headers=grid)
    assert unreadable.status_code == 422 and "LNK-3" in unreadable.json()["detail"]
    # Each refusal is audited like any other action's.
    refused = await front["pool"].fetch(
        "SELECT action, status FROM refused_actions WHERE case_id = 'LNK-1' ORDER BY id"
    )
    assert [(r["action"], r["status"]) for r in refused] == [
        ("link", 403),
        ("link", 422),
        ("link", 403),
        ("link", 422),
    ]
