-- Notifications waiting for delivery. The engine writes here through one activity; a real
-- channel (SMS, the governance app, a phone call list) reads `delivered_at IS NULL` rows.
-- Keyed by the event that caused them and the recipient, so a retried activity writes once.

CREATE TABLE outbox (
    id             bigserial   PRIMARY KEY,
    case_id        text        NOT NULL REFERENCES cases (case_id),
    seq            integer     NOT NULL,
    recipient_role text        NOT NULL,
    recipient_unit text        NOT NULL,
    recipient_name text,
    message        text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    delivered_at   timestamptz,
    UNIQUE (case_id, seq, recipient_role, recipient_unit)
);

CREATE INDEX outbox_undelivered ON outbox (created_at) WHERE delivered_at IS NULL;
