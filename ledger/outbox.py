"""The outbox: notifications, written to PostgreSQL for a delivery channel to send.

The ledger writes a step's notifications in the same transaction as its events
(`activities/ledger.py`), one row per recipient and event, so a delivery channel (SMS, an
app push, a webhook) reads the `outbox` table without touching a workflow. A duty round's
reminders and escalations (ledger/report_duties.py) go the same way, keyed by the duty
instead of a case.
"""

from __future__ import annotations

from ledger.rows import Notification

#: A retried step writes nothing twice: one row per (case, seq, recipient).
QUEUE_SQL = """
INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, recipient_name, message)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (case_id, seq, recipient_role, recipient_unit) DO NOTHING
"""


#: A duty reminder or escalation (零报告, migration 017): no case, the duty's key instead;
#: one row per (duty notice, recipient), so a retried duty round queues nothing twice.
QUEUE_DUTY_SQL = """
INSERT INTO outbox (duty_key, recipient_role, recipient_unit, message)
VALUES ($1, $2, $3, $4)
ON CONFLICT (duty_key, recipient_role, recipient_unit) DO NOTHING
"""


#: The unit of a party recipient (workflows/case/context.py): reached through the case.
PARTY_UNIT = "party"


def outbox_rows(notes: list[Notification]) -> list[tuple]:
    """The `QUEUE_SQL` parameters of each recipient of each notification. A party's row names
    no one: the case id and the party's role reach them through the county's own case file
    (docs/notifications.md, "What a row and a body carry"), so no party's name waits in the
    outbox or travels to a channel."""
    return [
        (
            note.case_id,
            note.seq,
            r.role,
            r.unit,
            None if r.unit == PARTY_UNIT else r.name,
            note.message,
        )
        for note in notes
        for r in note.recipients
    ]
