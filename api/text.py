"""The web page's and the API's human text, from the `web` message catalog.

Each request is answered in one language (`use_request_lang`, set by api/app.py's middleware):
`?lang=en|zh` (remembered in a cookie for the page), else that cookie, else (JSON API only) the
first language of `Accept-Language` if it is one we have, else the API process's language
(`DISPUTE_LANG`, Chinese by default). The page ignores `Accept-Language`: a browser always
sends one, and the county's setting should decide, not how the browser was installed. Code
and templates call `_`, `pgettext` (and Jinja's `{% trans %}` / `_()`), which read it. JSON
keys, action names, status codes and the values the forms send stay the English machine
contract; only what people read is translated.
"""

from __future__ import annotations

from contextvars import ContextVar

from texts import Lang, Texts, parse_lang, process_lang, texts
from texts.terms import label

#: The cookie that remembers a `?lang=` choice on the page.
LANG_COOKIE = "dispute_lang"

_request_lang: ContextVar[Lang | None] = ContextVar("request_lang", default=None)


def current_lang() -> Lang:
    """The language of the request being answered (the process's outside a request)."""
    return _request_lang.get() or process_lang()


def accepted(header: str | None) -> str | None:
    """The first language of an `Accept-Language` header ('zh-CN,zh;q=0.9' -> 'zh-CN')."""
    first = (header or "").split(",")[0].split(";")[0].strip()
    return first if first and first != "*" else None


def use_request_lang(
    query: str | None, cookie: str | None, default: Lang, accept: str | None = None
) -> Lang:
    """Fix the language of this request (its task's context): `?lang=`, else the cookie,
    else `accept` (a language the caller's client asked for), else `default`; an unknown
    value is ignored rather than refused."""
    lang = default
    for value in (accept, cookie, query):
        if value:
            try:
                lang = parse_lang(value)
            except ValueError:
                pass
    _request_lang.set(lang)
    return lang


def web() -> Texts:
    return texts("web", current_lang())


def _(message: str) -> str:
    return web().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return web().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return web().pgettext(context, message)


def _action_names() -> dict[str, tuple[str, str]]:
    """Each action's name and what it does, as a person reads them (by the API's name)."""
    return {
        "outcome": (pgettext("action", "Report the outcome"),
                    _("resolved, or failed with a reason")),
        "pause": (pgettext("action", "Pause the clock"),
                  _("waiting on a party, an appraisal, a hearing")),
        "resume": (pgettext("action", "Resume the clock"),
                   _("the deadline moves by the paused time")),
        "extend": (pgettext("action", "Extend the deadline"),
                   _("a supervisor of the level above grants more time")),
        "escalate": (pgettext("action", "Ask to go up a level"),
                     _("the applicant asks for the case to go up a level")),
        "pull-up": (pgettext("action", "Pull up"),
                    _("a supervisor above pulls the case up to their level")),
        "regrade": (pgettext("action", "Re-grade the risk"),
                    _("set the risk flags anew; the colour is graded again")),
        "transfer": (pgettext("action", "Transfer"),
                     _("hand the case to another unit at the same level (首接负责)")),
        "accept-transfer": (pgettext("action", "Accept the transfer"),
                            _("the receiving unit accepts a transfer")),
        "object-transfer": (pgettext("action", "Object to the transfer"),
                            _("the receiving unit objects, with a reason")),
        "withdraw": (pgettext("action", "Withdraw"), _("the applicant withdraws the case")),
        "refuse": (pgettext("action", "Refuse mediation"),
                   _("a party refuses mediation (People's Mediation Law Art. 17)")),
        "whistle": (pgettext("action", "Blow the whistle"),
                    _("the departments named must check in and report (吹哨报到)")),
        "track": (pgettext("action", "Change the mediation track"),
                  _("hand mediation to another track, or record that this one failed")),
        "extend-track": (pgettext("action", "Extend the mediation track"),
                         _("more time on the track, with both parties' consent")),
        "contact": (pgettext("action", "Record a contact"),
                    _("a contact with the applicant (the first one counts for the response rate)")),
        "arbitration": (pgettext("action", "Labour arbitration"),
                        _("applied, then the committee's accepted, extended (+15 days) or award")),
        "confirmation": (pgettext("action", "Judicial confirmation"),
                         _("applied, then the court's steps")),
        "visit": (pgettext("action", "Record a return visit"),
                  _("the result of a return visit (回访)")),
        "procedure": (pgettext("action", "A step of the procedure"),
                      _("a 信访 matter or the court road: a step of its table")),
        "check-in": (pgettext("action", "Check in"), _("a summoned department checks in (报到)")),
        "file-report": (pgettext("action", "File the report"),
                        _("what the department found and did")),
        "decline": (pgettext("action", "Decline"),
                    _("the matter is not within the department's remit")),
        "rule-decline": (pgettext("action", "Rule on a decline"),
                         _("a supervisor of the township or county rules on a decline")),
    }  # fmt: skip


def action_name(name: str) -> str:
    return _action_names().get(name, (name, ""))[0]


def action_help(name: str) -> str:
    return _action_names().get(name, ("", ""))[1]


def field_label(name: str) -> str:
    """The label of an action form's field (by the field's JSON name)."""
    labels = {
        "outcome": pgettext("field", "Outcome"),
        "level": pgettext("field", "At level"),
        "reason": pgettext("field", "Reason"),
        "agreement": pgettext("field", "Agreement"),
        "note": pgettext("field", "Note"),
        "by": pgettext("field", "How much more time (12h, 2d, 3wd)"),
        "to_level": pgettext("field", "To level"),
        "risk_flags": pgettext("field", "Risk flags (';'-separated)"),
        "to_unit": pgettext("field", "To unit"),
        "kind": pgettext("field", "Kind"),
        "departments": pgettext("field", "Departments (';'-separated codes)"),
        "to_track": pgettext("field", "To track"),
        "both_parties_consent": pgettext("field", "Both parties consent"),
        "step": pgettext("field", "Step"),
        "award": pgettext("field", "Award"),
        "visit": pgettext("field", "Visit"),
        "result": pgettext("field", "Result"),
        "findings": pgettext("field", "Findings"),
        "actions": pgettext("field", "Actions taken"),
        "uphold": pgettext("field", "Uphold the decline"),
        "channel": pgettext("field", "How"),
        "solved": pgettext("field", "Solved (yes/no)"),
        "satisfaction": pgettext("field", "Satisfaction"),
        "action": pgettext("field", "Step of the procedure"),
        "facts": pgettext("field", "Facts (name=value; e.g. opinion=support; consent=true)"),
        "window": pgettext("field", "Window (to extend)"),
        "happened_at": pgettext("field", "Happened at (ISO 8601, if earlier)"),
    }
    return labels.get(name, name)


#: Form fields whose choices are machine values named in texts/terms.py, by the term's kind.
_TERM_FIELDS = {"level": "level", "to_level": "level"}


def _options() -> dict[str, str]:
    return {
        "resolved": pgettext("option", "resolved"),
        "failed": pgettext("option", "failed"),
        "waiting_on_party": pgettext("option", "waiting on a party"),
        "appraisal": pgettext("option", "appraisal"),
        "hearing": pgettext("option", "hearing"),
        "other": pgettext("option", "other"),
        "satisfaction": pgettext("option", "satisfaction visit"),
        "performance": pgettext("option", "performance visit"),
        "satisfied": pgettext("option", "satisfied"),
        "basically_satisfied": pgettext("option", "basically satisfied"),
        "dissatisfied": pgettext("option", "dissatisfied"),
        "agreement_broken": pgettext("option", "agreement broken"),
        "flared_up": pgettext("option", "flared up again"),
        "unreachable": pgettext("option", "unreachable"),
        "routine": pgettext("option", "routine"),
        "hard_case": pgettext("option", "hard case"),
        "emergency": pgettext("option", "emergency"),
        "phone": pgettext("option", "phone"),
        "message": pgettext("option", "message"),
        "applied": pgettext("option", "applied"),
        "accepted": pgettext("option", "accepted"),
        "extended": pgettext("option", "extended"),
        "award": pgettext("option", "award"),
        "confirmed": pgettext("option", "confirmed"),
        "rejected": pgettext("option", "rejected"),
    }


def option_label(field: str, value: str) -> str:
    """The name of one choice of a form's select; the form still sends the value."""
    if field in _TERM_FIELDS:
        return label(_TERM_FIELDS[field], value, current_lang())
    if field == "channel" and value == "visit":
        return pgettext("option", "home visit")
    return _options().get(value, value)


def role_label(role: str | None) -> str:
    """A person's role as people say it; a department's code (its role) as it is."""
    if not role:
        return ""
    roles = {
        "grid_worker": pgettext("role", "grid worker"),
        "handler": pgettext("role", "handler"),
        "mediator": pgettext("role", "mediator"),
        "mediation_committee": pgettext("role", "mediation committee"),
        "governance_centre": pgettext("role", "governance centre"),
        "county_centre": pgettext("role", "county centre"),
        "police": pgettext("role", "police"),
        "judicial_office": pgettext("role", "judicial office"),
        "supervisor": pgettext("role", "supervisor"),
        "leader": pgettext("role", "leader"),
        "secretary": pgettext("role", "party secretary"),
        "applicant": pgettext("role", "applicant"),
        "respondent": pgettext("role", "respondent"),
        "third_party": pgettext("role", "third party"),
        "court": pgettext("role", "court"),
        "judge": pgettext("role", "judge"),
        "arbitrator": pgettext("role", "arbitrator"),
        "intake": pgettext("role", "intake service"),
    }
    return roles.get(role, role)


def term(kind: str, value: object) -> str:
    """A machine value's name (texts/terms.py) in the request's language."""
    return label(kind, value, current_lang()) if value is not None else "-"
