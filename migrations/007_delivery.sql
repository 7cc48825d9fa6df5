-- Delivery of the outbox: a dispatcher (notify/dispatcher.py) sends each pending row through a
-- channel and records what happened. The engine's insert (case_id, seq, recipient_role,
-- recipient_unit, recipient_name, message) is unchanged: every new column has a default, and
-- what a message needs besides (event kind, case title and place) is joined from case_events
-- on (case_id, seq) and from cases when it is sent.

ALTER TABLE outbox
    -- Stable across retries, re-queues and re-sends after a crash: derived from the business
    -- key, so a receiver can drop a repeat (header Idempotency-Key, field `id`).
    ADD COLUMN message_id uuid GENERATED ALWAYS AS (
        md5(case_id || '/' || seq::text || '/' || recipient_role || '/' || recipient_unit)::uuid
    ) STORED,
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
    ADD COLUMN last_error      text,
    ADD COLUMN last_attempt_at timestamptz,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- When the current delivery effort began: the row's creation, or a `retry` of a dead row.
    -- A row still failing `dead after` this is marked dead.
    ADD COLUMN queued_at       timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN dead_at         timestamptz,
    ADD COLUMN channel         text;

-- Rows written before this migration get `queued_at` = now: nobody tried to deliver them
-- before, so their `dead after` window starts with the upgrade.

DROP INDEX outbox_undelivered;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL AND delivered_at IS NULL;
-- Per-recipient order: the dispatcher sends a row only when no earlier one to the same
-- recipient of the same case is still pending.
CREATE INDEX outbox_recipient_queue ON outbox (case_id, recipient_role, recipient_unit, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;

-- Wake the dispatchers as soon as a notification is written (they also poll, so a missed
-- wake-up only delays a message by the poll interval). One notify per statement; PostgreSQL
-- folds identical ones within a transaction.
CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_pending', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_wake AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake();
