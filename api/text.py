"""Every human string of the web page, in one place, so the language work can move them to
message catalogs (English now; Chinese is the goal). JSON keys and action names stay English.
"""

from __future__ import annotations

TEXT = {
    "app": "Dispute cases",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "token": "Your token",
    "token_help": "Paste the token your operator gave you (it starts with dt_).",
    "bad_token": "That token is unknown, revoked, or its person is no longer active.",
    "signed_in_as": "Signed in as",
    "my_cases": "My cases",
    "no_cases": "No cases for you right now.",
    "case": "Case",
    "level": "Level",
    "unit": "Unit",
    "status": "Status",
    "risk": "Risk",
    "assignee": "Assignee",
    "due": "Due",
    "time_left": "Time left",
    "title": "Title",
    "where": "Where",
    "summary": "Summary",
    "clocks": "Clocks",
    "history": "History",
    "actions": "What you can do",
    "paused_since": "Paused since",
    "extended": "Extended by",
    "warnings": "Warnings raised",
    "back": "Back to my cases",
    "send": "Send",
    "done": "Done",
    "refused": "Refused",
    "whistle": "Whistle number",
    "department": "Department",
    "overdue_only": "Overdue only",
    "filter": "Filter",
}

#: Labels of the action forms' fields.
FIELDS = {
    "outcome": "Outcome",
    "level": "At level",
    "reason": "Reason",
    "agreement": "Agreement",
    "note": "Note",
    "by": "How much more time (12h, 2d, 3wd)",
    "to_level": "To level",
    "risk_flags": "Risk flags (';'-separated)",
    "to_unit": "To unit",
    "kind": "Kind",
    "departments": "Departments (';'-separated codes)",
    "to_track": "To track",
    "both_parties_consent": "Both parties consent",
    "step": "Step",
    "award": "Award",
    "visit": "Visit",
    "result": "Result",
    "findings": "Findings",
    "actions": "Actions taken",
    "uphold": "Uphold the decline",
}


def t(key: str) -> str:
    return TEXT.get(key, key)
