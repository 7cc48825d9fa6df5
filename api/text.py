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

from domain.catalogue import ACTIONS
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


def action_name(name: str) -> str:
    """An action's label (domain/catalogue.py) in the request's language."""
    action = ACTIONS.get(name)
    return action.label_in(current_lang()) if action else name


def action_help(name: str) -> str:
    action = ACTIONS.get(name)
    return action.help_in(current_lang()) if action else ""


def field_label(name: str) -> str:
    """The label of an action form's field (by the field's JSON name)."""
    labels = {
        "outcome": pgettext("field", "Outcome"),
        "into": pgettext("field", "Into case"),
        "other": pgettext("field", "Related case"),
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
    return label("role", role, current_lang()) if role else ""


def term(kind: str, value: object) -> str:
    """A machine value's name (texts/terms.py) in the request's language."""
    return label(kind, value, current_lang()) if value is not None else "-"
