-- The case ledger: one row per case with its current state, and its events in order.
-- Events are keyed by (case_id, seq): the workflow numbers them deterministically, so a
-- retried activity finds its event already there and writes nothing.

CREATE TABLE cases (
    case_id      text PRIMARY KEY,
    workflow_id  text        NOT NULL,
    dispute_type text        NOT NULL,
    complexity   text        NOT NULL,
    risk         text        NOT NULL,
    title        text        NOT NULL,
    county       text        NOT NULL,
    township     text        NOT NULL,
    village      text        NOT NULL,
    grid         text        NOT NULL,
    reported_at  timestamptz NOT NULL,
    opened_at    timestamptz NOT NULL,
    policy_name  text        NOT NULL,
    intake       jsonb       NOT NULL,
    status       text        NOT NULL DEFAULT 'open',
    level        text        NOT NULL,
    assignee     jsonb,
    due_at       timestamptz,
    closed_at    timestamptz,
    last_seq     integer     NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cases_township_status ON cases (township, status);
CREATE INDEX cases_open_due ON cases (due_at) WHERE status <> 'resolved';

CREATE TABLE case_events (
    case_id     text        NOT NULL REFERENCES cases (case_id),
    seq         integer     NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    level       text        NOT NULL,
    summary     text        NOT NULL,
    actor       jsonb,
    data        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, seq)
);

CREATE INDEX case_events_kind_at ON case_events (kind, at);

-- Who handles cases at each unit of each level: the grid id, village, township or county name.
CREATE TABLE roster (
    level  text    NOT NULL CHECK (level IN ('grid', 'village', 'township', 'county')),
    unit   text    NOT NULL,
    name   text    NOT NULL,
    role   text    NOT NULL,
    active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (level, unit, name)
);
