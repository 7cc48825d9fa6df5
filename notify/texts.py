"""Every human string a notification carries, from the `notify` message catalog.

Chinese by default; the dispatcher writes in its process's language (`DISPUTE_LANG=en` for
English). The event summary is not worded here: it comes from the case ledger, already in the
case's language, and is embedded as it is. JSON keys and event kinds stay the English machine
contract and are not here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from texts import Lang, Texts, process_lang, texts
from texts.terms import local_time as _local

#: Local time of the counties the engine serves (China Standard Time) unless told otherwise.
DEFAULT_UTC_OFFSET_HOURS = 8

#: The data fields of an event that are times a line may name.
TIME_FIELDS = ("due_at", "answer_by", "check_in_by", "report_by")


def _actions(_: Texts) -> dict[str, str]:
    """What the recipient must do, per event kind; `{due}` is the due time when there is one."""
    return {
        "assigned": _("You handle this case: settle it or report the outcome by {due}."),
        "escalated": _("The case is now at your level: settle it or report the outcome by {due}."),
        "warning": _("Settle it or report the outcome by {due}, or it goes up a level."),
        "deadline_passed": _(
            "It was due {due}; the case goes up a level: hand over what you have."
        ),
        "supervised": _("The county supervises this case (督办): report progress now."),
        "transfer_requested": _("Accept or object before {answer_by}; silence accepts."),
        "whistle_blown": _("Check in by {check_in_by} and report by {report_by}."),
        "visit_overdue": _("A return visit is overdue since {due}: make it now."),
        "extended": _("The deadline is now {due}."),
        "confirmation_reminder": _("The window to apply for judicial confirmation closes soon."),
    }


def no_action(lang: Lang | str) -> str:
    _ = texts("notify", lang)
    return _("Open the case for the details.")


def not_configured(lang: Lang | str | None = None) -> str:
    """Why nothing is sent: no channel (as the CLI and `make run`'s hint say it)."""
    _ = texts("notify", lang or process_lang())
    return _(
        "no channel is configured, so notifications are kept in the outbox "
        "(set DISPUTE_WEBHOOK_URL or DISPUTE_CHANNELS_FILE to send them)"
    )


def __getattr__(name: str) -> str:
    # `NOT_CONFIGURED` in the process's language, read when used (not when imported), for
    # callers outside this package that import the name (stack.py's hint).
    if name == "NOT_CONFIGURED":
        return not_configured()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def local_time(
    moment: datetime | str | None, offset_hours: float, lang: Lang | str = Lang.zh
) -> str | None:
    """'2026-11-25 14:00' in the counties' own time (UTC+8); another offset is named after
    the time, '2026-11-25 06:00 (UTC+0)'; None for no time."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = _local(moment, lang, zone=timezone(timedelta(hours=offset_hours)))
    if offset_hours == DEFAULT_UTC_OFFSET_HOURS:
        return text
    sign = "+" if offset_hours >= 0 else "-"
    return f"{text} (UTC{sign}{abs(offset_hours):g})"


def action_line(
    kind: str, data: dict[str, Any], offset_hours: float, lang: Lang | str = Lang.zh
) -> str:
    """What to do and by when; the generic line when the kind or a time it needs is missing."""
    template = _actions(texts("notify", lang)).get(kind)
    if template is None:
        return no_action(lang)
    times = {key: local_time(value, offset_hours, lang) for key, value in data.items()
             if key in TIME_FIELDS}  # fmt: skip
    times["due"] = times.get("due_at")
    try:
        line = template.format(**times)
    except (KeyError, IndexError):
        return no_action(lang)
    return no_action(lang) if "None" in line else line


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
    lang: Lang | str = Lang.zh,
) -> str:
    """The text a person reads: which case, what happened, what to do by when, where to open it."""
    _ = texts("notify", lang)
    lines = [
        _("[{case_id}] {title} ({place})").format(
            case_id=case_id, title=title or "?", place=place or "?"
        ),
        summary,
        action_line(kind or "", data or {}, offset_hours, lang),
    ]
    if case_url:
        lines.append(_("Open: {url}").format(url=case_url))
    return "\n".join(lines)


def compose_duty(*, unit: str, day: date, summary: str, lang: Lang | str = Lang.zh) -> str:
    """The text of a duty reminder or escalation: whose report of which day, then what the
    duty round recorded (already worded, in the worker's language)."""
    _ = texts("notify", lang)
    return "\n".join(
        [_("[Report duty] {unit}, {day}").format(unit=unit, day=day.isoformat()), summary]
    )
