"""One notification as it leaves: built from an outbox row joined with its event and case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from notify import texts


@dataclass(frozen=True)
class Outgoing:
    """What every channel sends; `payload()` is the webhook's JSON body."""

    id: str
    row_id: int
    case_id: str
    seq: int
    event: str | None
    role: str
    unit: str
    name: str | None
    text: str
    at: datetime
    case_url: str | None = None
    level: str | None = None
    colour: str | None = None
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
            **self.extra,
        }


def case_url(web_url: str | None, case_id: str) -> str | None:
    """`<DISPUTE_WEB_URL>/cases/<case id>` when a web address is configured."""
    return f"{web_url.rstrip('/')}/cases/{quote(case_id, safe='')}" if web_url else None


def place_of(row: Any) -> str | None:
    parts = [row["village"], row["township"]]
    return ", ".join(p for p in parts if p) or None


def from_row(row: Any, *, web_url: str | None, offset_hours: float) -> Outgoing:
    """An `Outgoing` from a claimed row (see `store._CLAIM`)."""
    url = case_url(web_url, row["case_id"])
    data = row["data"] if isinstance(row["data"], dict) else {}
    text = texts.compose(
        case_id=row["case_id"], title=row["title"], place=place_of(row), summary=row["message"],
        kind=row["kind"], data=data, case_url=url, offset_hours=offset_hours,
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
        extra={"title": row["title"], "place": place_of(row), "due_at": data.get("due_at")},
    )
