"""Every human string a notification carries, in one place so it can move to a catalogue.

English for now; the language issue replaces these with per-language catalogues. JSON keys and
event kinds stay the English machine contract and are not here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

#: Local time of the counties the engine serves (China Standard Time) unless told otherwise.
DEFAULT_UTC_OFFSET_HOURS = 8

#: What the recipient must do, per event kind; `{due}` is the due time when the event has one.
ACTIONS: dict[str, str] = {
    "assigned": "You handle this case: settle it or report the outcome by {due}.",
    "escalated": "The case is now at your level: settle it or report the outcome by {due}.",
    "warning": "Settle it or report the outcome by {due}, or it goes up a level.",
    "deadline_passed": "It was due {due}; the case goes up a level: hand over what you have.",
    "supervised": "The county supervises this case (督办): report progress now.",
    "transfer_requested": "Accept or object before {answer_by}; silence accepts.",
    "whistle_blown": "Check in by {check_in_by} and report by {report_by}.",
    "visit_overdue": "A return visit is overdue since {due}: make it now.",
    "extended": "The deadline is now {due}.",
    "confirmation_reminder": "The window to apply for judicial confirmation closes soon.",
}

NO_ACTION = "Open the case for the details."
HEADLINE = "[{case_id}] {title} ({place})"
EVENT = "{summary}"
LINK = "Open: {url}"
NOT_CONFIGURED = (
    "no channel is configured, so notifications are kept in the outbox "
    "(set DISPUTE_WEBHOOK_URL or DISPUTE_CHANNELS_FILE to send them)"
)


def local_time(moment: datetime | str | None, offset_hours: float) -> str | None:
    """'2026-11-25 14:00 (UTC+8)', or None for no time."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = timezone(timedelta(hours=offset_hours))
    sign = "+" if offset_hours >= 0 else "-"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} (UTC{sign}{abs(offset_hours):g})"


def action_line(kind: str, data: dict[str, Any], offset_hours: float) -> str:
    """What to do and by when; the generic line when the kind or a time it needs is missing."""
    template = ACTIONS.get(kind)
    if template is None:
        return NO_ACTION
    times = {key: local_time(value, offset_hours) for key, value in data.items()
             if key in ("due_at", "answer_by", "check_in_by", "report_by")}  # fmt: skip
    times["due"] = times.get("due_at")
    try:
        line = template.format(**times)
    except (KeyError, IndexError):
        return NO_ACTION
    return NO_ACTION if "None" in line else line


def compose(
    *,
    case_id: str,
    title: str | None,
    place: str | None,
    summary: str,
    kind: str | None,
    data: dict[str, Any] | None,
    case_url: str | None,
    offset_hours: float = DEFAULT_UTC_OFFSET_HOURS,
) -> str:
    """The text a person reads: which case, what happened, what to do by when, where to open it."""
    lines = [
        HEADLINE.format(case_id=case_id, title=title or "?", place=place or "?"),
        EVENT.format(summary=summary),
        action_line(kind or "", data or {}, offset_hours),
    ]
    if case_url:
        lines.append(LINK.format(url=case_url))
    return "\n".join(lines)
