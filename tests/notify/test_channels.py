"""Each channel's request as a real HTTP receiver sees it, and the routing file."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from notify.channels import DeliveryError, DingTalk, Sms, Webhook, WeCom, dingtalk_signed_url
from notify.outgoing import Outgoing
from notify.routing import RoutingError, load_routing, parse_routing
from tests.notify.receiver import Receiver

EXAMPLE = Path(__file__).resolve().parents[2] / "channels.example.toml"
MSG = Outgoing(
    id="00000000-0000-0000-0000-000000000001", row_id=1, case_id="L-0001", seq=3,
    event="warning", role="grid_worker", unit="G-07", name="赵网格员",
    text="[L-0001] Water leak (Diamond Square Community, Haibei Street)\nred warning",
    at=datetime(2026, 11, 20, 2, tzinfo=UTC), level="grid", colour="yellow",
)  # fmt: skip


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


async def send(channel, msg: Outgoing = MSG) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        await channel.send(client, msg)


async def test_wecom_robot_gets_its_text_message_and_its_errcode_is_checked(receiver):
    await send(WeCom("w", receiver.url + "?key=abc"))
    [got] = receiver.received
    assert got.body == {"msgtype": "text", "text": {"content": MSG.text}}
    assert got.path == "/hook?key=abc" and got.headers["Idempotency-Key"] == MSG.id

    receiver.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    with pytest.raises(DeliveryError, match="errcode 93000: invalid webhook url"):
        await send(WeCom("w", receiver.url))


async def test_dingtalk_robot_request_is_signed_with_the_secret(receiver):
    await send(DingTalk("d", receiver.url + "?access_token=t", secret="SECabc"))
    [got] = receiver.received
    query = parse_qs(urlsplit(got.path).query)
    stamp, sign = query["timestamp"][0], query["sign"][0]
    expected = hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert base64.b64decode(sign) == expected and query["access_token"] == ["t"]
    assert got.body["text"]["content"] == MSG.text
    unsigned = dingtalk_signed_url("https://x/robot/send", "s", now_ms=1)
    assert unsigned.startswith("https://x/robot/send?timestamp=1&sign=")


async def test_sms_gateway_by_url_template_and_by_form(receiver):
    phones = {"赵网格员": "13800000000"}
    await send(Sms("s", receiver.url + "?to={phone}&msg={text}", phones=phones))
    await send(Sms("s", receiver.url + "?ref={id}", form={"mobile": "{phone}", "content": "{text}"},
                   phones=phones))  # fmt: skip
    get, post = receiver.received
    assert parse_qs(urlsplit(get.path).query) == {"to": ["13800000000"], "msg": [MSG.text]}
    assert parse_qs(urlsplit(post.path).query) == {"ref": [MSG.id]}
    assert parse_qs(post.body) == {"mobile": ["13800000000"], "content": [MSG.text]}
    with pytest.raises(DeliveryError, match=r"no phone number for the grid_worker of G-07") as err:
        await send(Sms("s", receiver.url + "?to={phone}"))
    assert "赵网格员" not in str(err.value)  # logged and kept: never a person's name


async def test_an_sms_gateway_reaches_a_unit_with_a_duty_reminder_which_names_no_case(receiver):
    reminder = Outgoing(
        id="00000000-0000-0000-0000-000000000002", row_id=2, case_id=None, seq=None,
        event="duty_reminder", role="reporting_unit", unit="海景社区第四网格", name=None,
        text="【零报告】海景社区第四网格 2026-12-06", at=datetime(2026, 12, 6, 8, tzinfo=UTC),
    )  # fmt: skip
    await send(Sms("s", receiver.url + "?to={phone}&case={case_id}&msg={text}",
                   phones={"海景社区第四网格": "13900000000"}), reminder)  # fmt: skip
    [got] = receiver.received
    query = parse_qs(urlsplit(got.path).query, keep_blank_values=True)
    assert query == {"to": ["13900000000"], "case": [""], "msg": [reminder.text]}


async def test_webhook_failures_say_why(receiver):
    receiver.status = 502
    with pytest.raises(DeliveryError, match="HTTP 502"):
        await send(Webhook("h", receiver.url))
    receiver.stop()
    with pytest.raises(DeliveryError, match="ConnectError"):
        await send(Webhook("h", receiver.url))


def test_the_example_file_parses_and_routes_by_colour_level_and_role():
    env = {"WECOM_COUNTY_URL": "https://w", "DINGTALK_TOWNSHIP_URL": "https://d",
           "DINGTALK_TOWNSHIP_SECRET": "SEC1"}  # fmt: skip
    routing = parse_routing(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE), env)

    def to(**kw) -> str:
        return routing.channel_for(MSG.__class__(**{**MSG.__dict__, **kw})).name

    assert to(colour="red") == "county_wecom"
    assert to(level="county", colour="green") == "county_wecom"
    assert to(level="township", role="governance_centre") == "township_dingtalk"
    assert to(role="applicant", level="village") == "sms"
    assert to(role="mediation_committee", level="village") == "governance_app"
    assert routing.channels["township_dingtalk"].secret == "SEC1"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[channels.a]\ntype = "fax"\nurl = "x"', r"channels\.a\.type: 'fax' is not one of"),
        ('[channels.a]\ntype = "webhook"', r"channels\.a\.url: missing"),
        ('[channels.a]\ntype = "wecom"\nurl_env = "NOPE"', r"url_env: environment variable NOPE"),
        ('[[routes]]\nchannel = "b"', r"routes\[0\]\.channel: 'b' is not a channel"),
        ('[channels.a]\ntype = "wecom"\nurl = "u"\n[[routes]]\nchannel = "a"\ncolor = "red"',
         r"routes\[0\]: unknown key\(s\) color"),
        ("[channels", r"f\.toml: "),
        ('[channels.s]\ntype = "sms"\nurl = "http://g/?to={mobile}"',
         r"channels\.s\.url: placeholder 'mobile' is not one of phone, text"),
    ],
)  # fmt: skip
def test_a_wrong_routing_file_names_the_key(text: str, error: str):
    with pytest.raises(RoutingError, match=error):
        parse_routing(text, "f.toml", {})


def test_no_configuration_means_no_route_and_the_webhook_url_catches_all(tmp_path):
    assert not load_routing({}).configured
    one = load_routing({"DISPUTE_WEBHOOK_URL": "http://127.0.0.1:1/h"})
    assert one.configured and one.channel_for(MSG).name == "webhook"
    path = tmp_path / "c.toml"
    path.write_text(
        '[channels.a]\ntype = "wecom"\nurl = "u"\n[[routes]]\nrole = "x"\nchannel = "a"'
    )
    both = load_routing({"DISPUTE_CHANNELS_FILE": str(path), "DISPUTE_WEBHOOK_URL": "http://h"})
    assert both.channel_for(MSG).name == "webhook"  # role grid_worker: not routed by the file
    with pytest.raises(RoutingError, match=r"DISPUTE_CHANNELS_FILE .*missing\.toml"):
        load_routing({"DISPUTE_CHANNELS_FILE": str(tmp_path / "missing.toml")})
