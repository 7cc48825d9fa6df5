"""The names people read for the engine's machine values, and times and durations as text.

A level is `grid` in JSON and search attributes (the machine contract) and 网格 / "grid" on a
page. `label("level", "grid", lang)` gives the name; every name is marked here with `term_` so
the catalog check finds it, and translated with the value's kind as gettext context.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from texts import Lang, texts


def term_(kind: str, value: str) -> tuple[str, str]:
    """Marks a (kind, value) pair for extraction; translated later by `label`."""
    return kind, value


#: Every machine value that is shown to people, by kind. The English names are the msgids.
TERMS: dict[tuple[str, str], str] = {
    pair: pair[1]
    for pair in (
        term_("level", "grid"),
        term_("level", "village"),
        term_("level", "township"),
        term_("level", "county"),
        term_("status", "open"),
        term_("status", "paused"),
        term_("status", "supervised"),
        term_("status", "resolved"),
        term_("status", "closed"),
        term_("status", "withdrawn"),
        term_("status", "referred"),
        term_("status", "merged"),
        term_("risk", "green"),
        term_("risk", "yellow"),
        term_("risk", "red"),
        term_("complexity", "simple"),
        term_("complexity", "general"),
        term_("complexity", "complex"),
        term_("dispute_type", "neighbour"),
        term_("dispute_type", "family"),
        term_("dispute_type", "debt"),
        term_("dispute_type", "land"),
        term_("dispute_type", "land_acquisition"),
        term_("dispute_type", "contract"),
        term_("dispute_type", "wages"),
        term_("dispute_type", "labour"),
        term_("dispute_type", "property_damage"),
        term_("dispute_type", "relocation"),
        term_("dispute_type", "consumer"),
        term_("dispute_type", "agriculture"),
        term_("dispute_type", "cross_jurisdiction"),
        term_("dispute_type", "other"),
        term_("party_role", "applicant"),
        term_("party_role", "respondent"),
        term_("party_role", "third_party"),
        term_("reporter", "grid_worker"),
        term_("reporter", "resident"),
        term_("reporter", "police"),
        term_("reporter", "hotline"),
        term_("reporter", "mediator"),
        term_("reporter", "other"),
        term_("risk_flag", "violence_threat"),
        term_("risk_flag", "self_harm"),
        term_("risk_flag", "group_dispute"),
        term_("risk_flag", "minors"),
        term_("risk_flag", "wage_arrears"),
        term_("risk_flag", "elderly"),
        term_("risk_flag", "repeat_petition"),
        term_("track", "peoples"),
        term_("track", "administrative"),
        term_("track", "judicial_pre_filing"),
        term_("track", "judicial_post_filing"),
        term_("track", "judicial_simplified"),
        term_("track", "labour_mediation"),
        term_("track", "labour_arbitration"),
        term_("confirmation", "confirmed"),
        term_("confirmation", "rejected"),
        term_("confirmation", "lapsed"),
        term_("arbitration_step", "applied"),
        term_("arbitration_step", "accepted"),
        term_("arbitration_step", "extended"),
        term_("arbitration_step", "award"),
        term_("confirmation_step", "applied"),
        term_("confirmation_step", "accepted"),
        term_("confirmation_step", "extended"),
        term_("confirmation_step", "confirmed"),
        term_("confirmation_step", "rejected"),
        term_("pause_reason", "waiting_on_party"),
        term_("pause_reason", "appraisal"),
        term_("pause_reason", "hearing"),
        term_("pause_reason", "other"),
        term_("role", "grid_worker"),
        term_("role", "handler"),
        term_("role", "mediator"),
        term_("role", "mediation_committee"),
        term_("role", "governance_centre"),
        term_("role", "county_centre"),
        term_("role", "police"),
        term_("role", "judicial_office"),
        term_("role", "supervisor"),
        term_("role", "leader"),
        term_("role", "secretary"),
        term_("role", "applicant"),
        term_("role", "respondent"),
        term_("role", "third_party"),
        term_("role", "court"),
        term_("role", "judge"),
        term_("role", "arbitrator"),
        term_("role", "intake"),
        term_("role", "court_clerk"),
        term_("role", "enforcement_officer"),
        term_("role", "petition_office"),
        term_("role", "handling_body"),
        term_("role", "reviewing_body"),
        term_("role", "petitioner"),
        term_("run", "halted"),
        term_("halt", "terminated"),
        term_("halt", "failed"),
        term_("halt", "timed_out"),
        term_("roster_role", "leader"),
        term_("roster_role", "secretary"),
        term_("roster_role", "grid_worker"),
        term_("roster_role", "mediator"),
        term_("roster_role", "supervisor"),
        term_("channel", "phone"),
        term_("channel", "visit"),
        term_("channel", "message"),
        term_("channel", "other"),
        term_("visit", "satisfaction"),
        term_("visit", "performance"),
        term_("visit_result", "satisfied"),
        term_("visit_result", "dissatisfied"),
        term_("visit_result", "agreement_broken"),
        term_("visit_result", "flared_up"),
        term_("visit_result", "unreachable"),
        term_("whistle", "routine"),
        term_("whistle", "hard_case"),
        term_("whistle", "emergency"),
        term_("duty_state", "summoned"),
        term_("duty_state", "checked_in"),
        term_("duty_state", "reported"),
        term_("duty_state", "missed"),
        term_("duty_state", "declined"),
        term_("duty_state", "excused"),
        term_("duty_state", "supervised"),
        term_("link", "related"),
        term_("link", "duplicate_of"),
        term_("link", "merged_from"),
        term_("report_duty", "due"),
        term_("report_duty", "filed"),
        term_("report_duty", "zero"),
        term_("report_duty", "late"),
        term_("report_duty", "missing"),
        term_("report_duty", "flagged"),
        term_("duty_event", "summon"),
        term_("duty_event", "check_in"),
        term_("duty_event", "report"),
        term_("duty_event", "check_in_overdue"),
        term_("duty_event", "report_overdue"),
        term_("duty_event", "decline"),
        term_("duty_event", "uphold"),
        term_("duty_event", "overrule"),
        term_("duty_event", "supervise"),
        term_("department", "police_station"),
        term_("department", "judicial_office"),
        term_("department", "market_supervision"),
        term_("department", "comprehensive_enforcement"),
        term_("department", "judge_station"),
        term_("department", "labour"),
        term_("department", "natural_resources"),
        term_("holiday", "weekend"),
        term_("holiday", "New Year's Day"),
        term_("holiday", "Spring Festival"),
        term_("holiday", "Qingming Festival"),
        term_("holiday", "Labour Day"),
        term_("holiday", "Dragon Boat Festival"),
        term_("holiday", "Mid-Autumn Festival"),
        term_("holiday", "National Day"),
        term_("holiday", "National Day and Mid-Autumn"),
        term_("period", "daily"),
        term_("period", "weekly"),
        term_("period", "monthly"),
        term_("clock", "level"),
        term_("clock", "supervised"),
        term_("clock", "track"),
        term_("clock", "confirmation"),
        term_("clock", "visit"),
        # Statutory procedures (procedures/*.toml): the tables' machine names, for people.
        term_("petition_channel", "letter"),
        term_("petition_channel", "online"),
        term_("petition_channel", "phone"),
        term_("petition_channel", "visit"),
        term_("procedure", "petition"),
        term_("procedure", "court"),
        term_("procedure", "labour_arbitration"),
        term_("procedure", "judicial_confirmation"),
        term_("procedure_state", "pre_filing_mediation"),
        term_("procedure_state", "entrusted_mediation"),
        term_("procedure_state", "entrusted_mediation_simplified"),
        term_("procedure_state", "filed"),
        term_("procedure_state", "small_claims"),
        term_("procedure_state", "simplified"),
        term_("procedure_state", "ordinary"),
        term_("procedure_state", "judged"),
        term_("procedure_state", "effective"),
        term_("procedure_state", "payment_order_applied"),
        term_("procedure_state", "payment_order_issued"),
        term_("procedure_state", "enforcement_applied"),
        term_("procedure_state", "settled"),
        term_("procedure_state", "appealed"),
        term_("procedure_state", "enforced"),
        term_("procedure_state", "withdrawn"),
        term_("procedure_state", "agreement"),
        term_("procedure_state", "applied"),
        term_("procedure_state", "accepted"),
        term_("procedure_state", "confirmed"),
        term_("procedure_state", "rejected"),
        term_("procedure_state", "lapsed"),
        term_("procedure_state", "labour_mediation"),
        term_("procedure_state", "mediation_agreement"),
        term_("procedure_state", "award_final_for_employer"),
        term_("procedure_state", "award_open_to_suit"),
        term_("procedure_state", "award_effective"),
        term_("procedure_state", "to_court"),
        term_("procedure_state", "registered"),
        term_("procedure_state", "received_by_body"),
        term_("procedure_state", "forwarded"),
        term_("procedure_state", "assigned"),
        term_("procedure_state", "objected"),
        term_("procedure_state", "in_mediation"),
        term_("procedure_state", "answered"),
        term_("procedure_state", "in_review"),
        term_("procedure_state", "reviewed"),
        term_("procedure_state", "in_re_review"),
        term_("procedure_state", "concluded"),
        term_("procedure_state", "final_after_re_review"),
        term_("procedure_state", "routed_away"),
        term_("procedure_state", "settled_by_mediation"),
        term_("procedure_window", "pre_filing"),
        term_("procedure_window", "entrusted"),
        term_("procedure_window", "entrusted_simplified"),
        term_("procedure_window", "docket"),
        term_("procedure_window", "trial_small_claims"),
        term_("procedure_window", "trial_simplified"),
        term_("procedure_window", "trial_ordinary"),
        term_("procedure_window", "appeal"),
        term_("procedure_window", "apply_enforcement"),
        term_("procedure_window", "issue_order"),
        term_("procedure_window", "order_objection"),
        term_("procedure_window", "enforce"),
        term_("procedure_window", "apply"),
        term_("procedure_window", "court_accept"),
        term_("procedure_window", "court_decide"),
        term_("procedure_window", "labour_mediation"),
        term_("procedure_window", "accept"),
        term_("procedure_window", "award"),
        term_("procedure_window", "worker_sue"),
        term_("procedure_window", "sue"),
        term_("procedure_window", "register"),
        term_("procedure_window", "notify"),
        term_("procedure_window", "accept_assigned"),
        term_("procedure_window", "object"),
        term_("procedure_window", "handle"),
        term_("procedure_window", "review_request"),
        term_("procedure_window", "review_decide"),
        term_("procedure_window", "re_review_request"),
        term_("procedure_window", "re_review_decide"),
        term_("procedure_step", "mediation_settled"),
        term_("procedure_step", "mediation_failed"),
        term_("procedure_step", "entrusted_failed"),
        term_("procedure_step", "entrusted_simplified_failed"),
        term_("procedure_step", "docket_small_claims"),
        term_("procedure_step", "docket_simplified"),
        term_("procedure_step", "docket_ordinary"),
        term_("procedure_step", "convert_to_simplified"),
        term_("procedure_step", "convert_to_ordinary"),
        term_("procedure_step", "mediated_in_court"),
        term_("procedure_step", "small_claims_judgment"),
        term_("procedure_step", "judgment"),
        term_("procedure_step", "appeal"),
        term_("procedure_step", "withdraw"),
        term_("procedure_step", "issue_payment_order"),
        term_("procedure_step", "order_objected"),
        term_("procedure_step", "apply_enforcement"),
        term_("procedure_step", "enforcement_done"),
        term_("procedure_step", "apply"),
        term_("procedure_step", "accept"),
        term_("procedure_step", "confirm"),
        term_("procedure_step", "reject"),
        term_("procedure_step", "agreement"),
        term_("procedure_step", "payment_order"),
        term_("procedure_step", "performed"),
        term_("procedure_step", "decline"),
        term_("procedure_step", "award"),
        term_("procedure_step", "sue_on_silence"),
        term_("procedure_step", "sue"),
        term_("procedure_step", "worker_sues"),
        term_("procedure_step", "forward"),
        term_("procedure_step", "assign"),
        term_("procedure_step", "object"),
        term_("procedure_step", "return_agreed"),
        term_("procedure_step", "return_refused"),
        term_("procedure_step", "route_away"),
        term_("procedure_step", "report_up"),
        term_("procedure_step", "to_mediation"),
        term_("procedure_step", "reply"),
        term_("procedure_step", "request_review"),
        term_("procedure_step", "review_decision"),
        term_("procedure_step", "request_re_review"),
        term_("procedure_step", "re_review_decision"),
        term_("procedure_step", "rate"),
        term_("procedure_step", "extend"),
        term_("procedure_step", "pause"),
        term_("procedure_step", "resume"),
        term_("procedure_pause", "appraisal"),
        term_("procedure_pause", "public_notice"),
        term_("procedure_pause", "jurisdiction_objection"),
        term_("procedure_pause", "suspension"),
        term_("procedure_pause", "enforcement_settlement"),
        term_("procedure_pause", "auction"),
        term_("procedure_pause", "hearing"),
        term_("procedure_route", "may_arbitrate"),
        term_("procedure_route", "may_sue"),
        term_("procedure_route", "payment_order"),
    )
}


def label(kind: str, value: object, lang: Lang | str) -> str:
    """The name of a machine value for people; the value itself when it has no name."""
    text = str(getattr(value, "value", value))
    if (kind, text) not in TERMS:
        return text
    name = texts("terms", lang).pgettext(kind, text)
    # English is the source language: its names are the values, read with spaces.
    return name.replace("_", " ") if name == text else name


def duration(seconds: float, lang: Lang | str) -> str:
    """'3天4小时' / '3d 4h', '2小时5分' / '2h 5m', '5分' / '5m': the two largest units."""
    _ = texts("terms", lang)
    left = abs(int(seconds))
    days, rest = divmod(left, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return _("{days}d {hours}h").format(days=days, hours=hours)
    if hours:
        return _("{hours}h {minutes}m").format(hours=hours, minutes=minutes)
    return _("{minutes}m").format(minutes=minutes)


_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(wd|s|m|h|d)")


def length(text: str, lang: Lang | str) -> str:
    """A length as a policy writes it ("10wd", "30d+15d", "12h") for people: 10个工作日,
    30天+15天, 12小时 (English keeps the policy's own notation)."""
    if Lang(lang) is Lang.en:
        return text
    _ = texts("terms", lang)
    units = {
        "s": _("{n} s"),
        "m": _("{n} min"),
        "h": _("{n} h"),
        "d": _("{n} days"),
        "wd": _("{n} working days"),
    }
    return _LENGTH.sub(lambda m: units[m.group(2)].format(n=m.group(1)), text)


def time_left(seconds: float | None, lang: Lang | str, *, paused: bool = False) -> str:
    """'剩余3天4小时' / '3d 4h left', '已超期2小时5分' / '2h 5m overdue', or no clock."""
    _ = texts("terms", lang)
    if paused:
        return _("clock paused")
    if seconds is None:
        return _("no clock")
    if seconds >= 0:
        return _("{duration} left").format(duration=duration(seconds, lang))
    return _("{duration} overdue").format(duration=duration(seconds, lang))


#: China Standard Time: the counties' local time, for every time shown to people.
LOCAL_ZONE = timezone(timedelta(hours=8))


def local_time(moment: datetime | None, lang: Lang | str, *, zone: timezone = LOCAL_ZONE) -> str:
    """'2026-11-25 14:00' in local time (the zone is the counties' own, so it is not repeated
    on every line); '-' for no time."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
