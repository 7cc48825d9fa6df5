"""The codec server as the Web UI and the CLI call it: Payloads JSON in, Payloads JSON out;
only for a signed-in person, and only the payloads of that person's cases; never /encode."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from api.codec_server import UI_ORIGINS, create_app
from ledger import tokens
from runtime.codec import EncryptionCodec, KeyRing
from tests.api_helpers import person_token

UI = UI_ORIGINS[0]
TEXT = json.dumps({"name": "王某", "phone": "13912345678"}, ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def payloads(*items: tuple[dict[str, bytes], bytes]) -> dict:
    """The body the UI sends: protobuf JSON of Payloads, bytes in base64."""
    return {
        "payloads": [
            {"metadata": {k: b64(v) for k, v in meta.items()}, "data": b64(data)}
            for meta, data in items
        ]
    }


PLAIN = payloads(({"encoding": b"json/plain"}, TEXT))


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


async def sealed_for(ring: KeyRing, workflow_id: str | None) -> dict:
    """PLAIN as a worker seals it for one workflow (or for none: an older payload)."""
    codec = EncryptionCodec(ring, workflow_id=workflow_id)
    parsed = json_format.Parse(json.dumps(PLAIN), Payloads())
    return json_format.MessageToDict(Payloads(payloads=await codec.encode(list(parsed.payloads))))


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec")


async def test_encode_is_refused_to_everyone(ring, clean_pool):
    person = await person_token(clean_pool, "grid", "G-07", "赵网格员", "grid_worker")
    for app in (create_app(ring), create_app(ring, people=clean_pool)):
        async with client(app) as http:
            answer = await http.post(
                "/encode", json=PLAIN, headers={"Authorization": f"Bearer {person}"}
            )
        assert answer.status_code == 403


async def test_with_sign_in_off_a_sealed_payload_decodes_back(ring):
    encoded = await sealed_for(ring, "case-A-1")
    sealed = encoded["payloads"][0]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
    assert base64.b64decode(sealed["metadata"]["dispute-workflow-id"]) == b"case-A-1"
    assert b"13912345678" not in base64.b64decode(sealed["data"])
    async with client(create_app(ring)) as http:
        decoded = await http.post("/decode", json=encoded, headers={"X-Namespace": "default"})
    assert decoded.status_code == 200
    assert decoded.json() == PLAIN


async def test_plain_payloads_decode_unchanged(ring):
    async with client(create_app(ring)) as http:
        answer = await http.post("/decode", json=PLAIN)
    assert answer.json() == PLAIN


async def test_a_payload_under_an_unknown_key_is_a_422_naming_the_key(ring):
    sealed = await sealed_for(KeyRing.generate(), "case-A-1")
    async with client(create_app(ring)) as http:
        answer = await http.post("/decode", json=sealed)
    assert answer.status_code == 422
    assert (
        base64.b64decode(sealed["payloads"][0]["metadata"]["encryption-key-id"]).decode()
        in (answer.json()["detail"])
    )


async def test_a_body_that_is_not_payloads_is_a_400(ring):
    async with client(create_app(ring)) as http:
        answer = await http.post("/decode", content=b"{not json")
    assert answer.status_code == 400


@pytest.mark.parametrize(("origin", "allowed"), [(UI, True), ("http://evil.example", False)])
async def test_browsers_are_answered_only_from_the_ui_origin(ring, origin, allowed):
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace",
    }
    async with client(create_app(ring)) as http:
        answer = await http.options("/decode", headers=preflight)
        post = await http.post("/decode", json=PLAIN, headers={"Origin": origin})
    assert (answer.status_code == 200) is allowed
    assert (answer.headers.get("access-control-allow-origin") == origin) is allowed
    assert (post.headers.get("access-control-allow-origin") == origin) is allowed


async def test_with_a_token_set_requests_must_bear_it(ring):
    async with client(create_app(ring, token="s3cret")) as http:
        missing = await http.post("/decode", json=PLAIN)
        wrong = await http.post("/decode", json=PLAIN, headers={"Authorization": "Bearer nope"})
        right = await http.post("/decode", json=PLAIN, headers={"Authorization": "Bearer s3cret"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)


async def test_with_the_front_doors_sign_in_only_a_persons_token_decodes(ring, clean_pool):
    person = await person_token(clean_pool, "grid", "G-07", "赵网格员", "grid_worker")
    service = (await tokens.issue(clean_pool, "county-hotline", None, "intake"))[1]
    revoked_id, revoked = await tokens.issue(clean_pool, "赵网格员", "G-07", "grid_worker")
    await tokens.revoke(clean_pool, revoked_id)
    app = create_app(ring, people=clean_pool)

    async def decode(headers=None, cookies=None) -> int:
        async with client(app) as http:
            http.cookies.update(cookies or {})
            answer = await http.post("/decode", json=PLAIN, headers=headers or {})
            return answer.status_code

    assert await decode() == 401
    assert await decode({"Authorization": "Bearer dt_not-a-token"}) == 401
    assert await decode({"Authorization": f"Bearer {service}"}) == 401  # intake decodes nothing
    assert await decode({"Authorization": f"Bearer {revoked}"}) == 401
    assert await decode({"Authorization": f"Bearer {person}"}) == 200
    assert await decode(cookies={tokens.SESSION_COOKIE: person}) == 200  # the page's sign-in


async def test_a_person_decodes_only_the_cases_they_may_read(ring, clean_pool):
    """赵 (G-07) holds case CS-MINE; another grid's case CS-OTHER stays sealed for him, and so
    does a payload bound to no case; a party reads only its own case."""
    from tests.ledger_stories import open_case_for_codec

    await open_case_for_codec(clean_pool, "CS-MINE", "G-07")
    await open_case_for_codec(clean_pool, "CS-OTHER", "G-08")
    zhao = await person_token(clean_pool, "grid", "G-07", "赵网格员", "grid_worker")
    party = (await tokens.issue(clean_pool, "王某", None, "applicant", case_id="CS-OTHER"))[1]
    app = create_app(ring, people=clean_pool)
    mine = await sealed_for(ring, "case-CS-MINE")
    duty = await sealed_for(ring, "case-CS-MINE-whistle-1-police")
    other = await sealed_for(ring, "case-CS-OTHER")
    unbound = await sealed_for(ring, None)

    async def decode(token: str, body: dict) -> dict:
        async with client(app) as http:
            answer = await http.post(
                "/decode", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        assert answer.status_code == 200
        return answer.json()

    assert await decode(zhao, mine) == PLAIN
    assert await decode(zhao, duty) == PLAIN
    assert await decode(zhao, other) == other  # still sealed
    assert await decode(zhao, unbound) == unbound
    assert await decode(party, other) == PLAIN
    assert await decode(party, mine) == mine
