"""The codec server as the Web UI and the CLI call it: Payloads JSON in, Payloads JSON out."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from api.codec_server import UI_ORIGINS, create_app
from ledger import tokens
from runtime.codec import KeyRing
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


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec")


async def test_encode_then_decode_gives_the_payload_back(ring):
    async with client(create_app(ring)) as http:
        encoded = await http.post("/encode", json=PLAIN, headers={"X-Namespace": "default"})
        assert encoded.status_code == 200
        sealed = encoded.json()["payloads"][0]
        assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
        assert b"13912345678" not in base64.b64decode(sealed["data"])
        decoded = await http.post("/decode", json=encoded.json())
    assert decoded.status_code == 200
    assert decoded.json() == PLAIN


async def test_plain_payloads_decode_unchanged(ring):
    async with client(create_app(ring)) as http:
        answer = await http.post("/decode", json=PLAIN)
    assert answer.json() == PLAIN


async def test_a_payload_under_an_unknown_key_is_a_422_naming_the_key(ring):
    async with client(create_app(KeyRing.generate())) as other:
        sealed = (await other.post("/encode", json=PLAIN)).json()
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
