"""Cross-site request forgery: a form of another site (the same host at another port too)
acts on nothing, even with the signed-in cookie; a form of the page needs its session's
token. Every such refusal is audited."""

from __future__ import annotations

import re

import pytest

from api.csrf import cross_site
from tests.api.test_api import front, ledger_kinds, open_case  # noqa: F401  (the fixture)


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"host": "127.0.0.1:8080", "origin": "http://127.0.0.1:8080"}, False),
        ({"host": "127.0.0.1:8080", "origin": "http://127.0.0.1:9999"}, True),
        ({"host": "127.0.0.1:8080", "origin": "http://evil.example"}, True),
        ({"host": "127.0.0.1:8080", "referer": "http://127.0.0.1:8080/cases/A"}, False),
        ({"host": "127.0.0.1:8080", "referer": "http://evil.example/x"}, True),
        ({"host": "127.0.0.1:8080", "origin": "null"}, True),
        ({"host": "127.0.0.1:8080"}, False),  # a program: no browser sent it
    ],
)
def test_origin_or_referer_must_name_the_site_itself(headers, refused):
    assert (cross_site(headers, ()) is not None) is refused


def test_a_listed_origin_passes():
    headers = {"host": "10.0.0.5:8080", "origin": "https://disputes.county.example"}
    assert cross_site(headers, ("https://disputes.county.example",)) is None


async def _signed_in(front) -> None:  # noqa: F811
    http = front["http"]
    answer = await http.post("/signin", data={"token": front["grid"]}, follow_redirects=False)
    assert answer.status_code == 303
    http.cookies.set("dispute_token", front["grid"])  # as the browser keeps it


async def test_a_cross_site_form_with_the_cookie_is_refused_and_audited(front):  # noqa: F811
    await open_case(front, "CSRF-1")
    await _signed_in(front)
    before = await ledger_kinds(front["pool"], "CSRF-1")
    page = (await front["http"].get("/cases/CSRF-1")).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)[1]
    evil = front["url"].rsplit(":", 1)[0] + ":1"  # the same host, another port
    form = {"reason": "other", "csrf": token}
    answer = await front["http"].post(
        "/cases/CSRF-1/act/pause", data=form, headers={"Origin": evil}
    )
    assert answer.status_code == 403
    # Even the page's own token does not help a form posted from another origin.
    assert await ledger_kinds(front["pool"], "CSRF-1") == before
    rows = await front["pool"].fetch(
        "SELECT status, action, reason, source FROM refused_actions WHERE case_id = 'CSRF-1'"
    )
    assert [(r["status"], r["action"]) for r in rows] == [(403, "pause")]
    assert "cross-site" in rows[0]["reason"] and rows[0]["source"] == "127.0.0.1"


async def test_a_form_without_its_sessions_token_is_refused(front):  # noqa: F811
    await open_case(front, "CSRF-2")
    await _signed_in(front)
    before = await ledger_kinds(front["pool"], "CSRF-2")
    same = {"Origin": front["url"]}
    for form in ({"reason": "other"}, {"reason": "other", "csrf": "0" * 64}):
        answer = await front["http"].post("/cases/CSRF-2/act/pause", data=form, headers=same)
        assert answer.status_code == 403
    assert await ledger_kinds(front["pool"], "CSRF-2") == before
    rows = await front["pool"].fetch(
        "SELECT name, status FROM refused_actions WHERE case_id = 'CSRF-2'"
    )
    assert [(r["name"], r["status"]) for r in rows] == [("周网格员", 403)] * 2

    page = (await front["http"].get("/cases/CSRF-2")).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)[1]
    answer = await front["http"].post(
        "/cases/CSRF-2/act/pause",
        data={"reason": "other", "csrf": token},
        headers=same,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "paused" in await ledger_kinds(front["pool"], "CSRF-2", until="paused")


async def test_a_page_on_another_port_cannot_make_a_signed_in_browser_act(front, browser):  # noqa: F811
    """The attack as it was made: a page at http://127.0.0.1:<other port> posts a form to the
    worklist's case page; the browser sends the SameSite=Strict cookie (same site), and yet
    nothing is done."""
    await open_case(front, "CSRF-3")
    before = await ledger_kinds(front["pool"], "CSRF-3")
    page = await browser.new_page()
    await page.goto(front["url"] + "/signin")
    await page.fill("#token", front["grid"])
    await page.click("button[type=submit]")
    await page.wait_for_selector("#worklist")

    evil = front["url"].rsplit(":", 1)[0] + ":1"
    html = (
        f'<form id="f" method="post" action="{front["url"]}/cases/CSRF-3/act/pause">'
        '<input name="reason" value="other"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    await page.route(f"{evil}/**", lambda route: route.fulfill(body=html, content_type="text/html"))
    async with page.expect_response(lambda r: "/act/pause" in r.url) as answered:
        await page.goto(f"{evil}/evil.html")
    assert (await answered.value).status == 403
    assert await ledger_kinds(front["pool"], "CSRF-3") == before
