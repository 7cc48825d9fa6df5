-- Duty reminders and escalations (零报告, migration 012) leave through the same outbox and
-- dispatcher as case notifications. Such a row names no case: it carries the duty's key
-- instead ("<day>/<kind>/<unit>", e.g. "2026-12-06/reminder/千里村第一网格"), the same key
-- that `duty_notices` is written under, so a retried duty round queues it once.

ALTER TABLE outbox
    ALTER COLUMN case_id DROP NOT NULL,
    ALTER COLUMN seq DROP NOT NULL,
    ADD COLUMN duty_key text,
    ADD CONSTRAINT outbox_case_or_duty CHECK ((case_id IS NULL) <> (duty_key IS NULL)),
    ADD CONSTRAINT outbox_case_has_seq CHECK (case_id IS NULL OR seq IS NOT NULL),
    ADD CONSTRAINT outbox_duty_once UNIQUE (duty_key, recipient_role, recipient_unit);

-- The message id covers duty rows too. A case row's id is unchanged (the same expression,
-- recomputed for every row), so a receiver still drops a repeat of a message queued before.
ALTER TABLE outbox DROP COLUMN message_id;
ALTER TABLE outbox ADD COLUMN message_id uuid GENERATED ALWAYS AS (
    md5(COALESCE(case_id || '/' || seq::text, 'duty/' || duty_key)
        || '/' || recipient_role || '/' || recipient_unit)::uuid
) STORED;
