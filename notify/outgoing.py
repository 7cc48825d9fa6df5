"""One notification as it leaves: built from an outbox row joined with its event and case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from domain.report_duties import parse_duty_key
from notify import texts
from texts import Lang


@dataclass(frozen=True)
class Outgoing:
    """What every channel sends; `payload()` is the webhook's JSON body."""

    id: str
    row_id: int
    #: None for a duty reminder or escalation (零报告), which names its duty in `extra`.
    case_id: str | None
    seq: int | None
    event: str | None
    role: str
    unit: str
    name: str | None
    text: str
    at: datetime
    case_url: str | None = None
    level: str | None = None
    colour: str | None = None
    #: The language of `text` ("zh" or "en"), for recipients that file or forward it.
    lang: str = Lang.zh.value
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case_id": self.case_id,
            "event": self.event,
            "seq": self.seq,
            "recipient": {"role": self.role, "unit": self.unit, "name": self.name},
            "text": self.text,
            "case_url": self.case_url,
            "at": self.at.isoformat(),
            "level": self.level,
            "colour": self.colour,
            "lang": self.lang,
            **self.extra,
        }


def case_url(web_url: str | None, case_id: str) -> str | None:
    """`<DISPUTE_WEB_URL>/cases/<case id>` when a web address is configured."""
    return f"{web_url.rstrip('/')}/cases/{quote(case_id, safe='')}" if web_url else None


def place_of(row: Any, lang: Lang | str = Lang.zh) -> str | None:
    """Where the case is: '海北街道 钻石广场社区' (largest first, as Chinese addresses are
    written), 'Diamond Square Community, Haibei Street' in English."""
    if Lang(lang) is Lang.zh:
        return " ".join(p for p in (row["township"], row["village"]) if p) or None
    return ", ".join(p for p in (row["village"], row["township"]) if p) or None


def from_row(
    row: Any, *, web_url: str | None, offset_hours: float, lang: Lang | str = Lang.zh
) -> Outgoing:
    """An `Outgoing` from a claimed row (see `store._CLAIM`), worded in `lang`."""
    if row["duty_key"] is not None:
        return from_duty_row(row, lang=lang)
    url = case_url(web_url, row["case_id"])
    data = row["data"] if isinstance(row["data"], dict) else {}
    where = place_of(row, lang)
    text = texts.compose(
        case_id=row["case_id"], title=row["title"], place=where, summary=row["message"],
        kind=row["kind"], data=data, case_url=url, offset_hours=offset_hours, lang=lang,
    )  # fmt: skip
    return Outgoing(
        id=str(row["message_id"]),
        row_id=row["id"],
        case_id=row["case_id"],
        seq=row["seq"],
        event=row["kind"],
        role=row["recipient_role"],
        unit=row["recipient_unit"],
        name=row["recipient_name"],
        text=text,
        at=row["event_at"] or row["created_at"],
        case_url=url,
        level=row["event_level"] or row["case_level"],
        colour=row["risk"],
        lang=Lang(lang).value,
        extra={"title": row["title"], "place": where, "due_at": data.get("due_at")},
    )


def from_duty_row(row: Any, *, lang: Lang | str = Lang.zh) -> Outgoing:
    """A duty reminder or escalation (零报告): no case; the body's `duty` names the unit that
    owes the report, the day and the notice, and `event` is `duty_reminder` or
    `duty_escalation`."""
    unit, day, kind = parse_duty_key(row["duty_key"])
    return Outgoing(
        id=str(row["message_id"]),
        row_id=row["id"],
        case_id=None,
        seq=None,
        event=kind.event,
        role=row["recipient_role"],
        unit=row["recipient_unit"],
        name=row["recipient_name"],
        text=texts.compose_duty(unit=unit, day=day, summary=row["message"], lang=lang),
        at=row["created_at"],
        lang=Lang(lang).value,
        extra={"duty": {"unit": unit, "day": day.isoformat(), "notice": kind.value}},
    )
