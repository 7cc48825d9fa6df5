-- Whistle and report (街乡吹哨、部门报到): the departments a township can summon, and the ledger
-- of each summoned department's duty.
--
-- A department serves one unit: a township's own station (派出所, 司法所, …) or the county's
-- bureau, which stands in where a township has none. `code` is what a whistle names.

CREATE TABLE departments (
    code   text    NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,63}$'),
    name   text    NOT NULL,
    unit   text    NOT NULL,
    active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (code, unit)
);

-- One row per department per whistle of a case. Writes are idempotent: each carries a `last_seq`
-- that grows with every write to the duty, so a retried write changes nothing, and the state
-- only moves along domain/whistle.py's state machine (which never returns to a state).
CREATE TABLE department_duties (
    case_id         text        NOT NULL REFERENCES cases (case_id),
    whistle_seq     integer     NOT NULL CHECK (whistle_seq > 0),
    department      text        NOT NULL,
    unit            text        NOT NULL,
    whistle_kind    text        NOT NULL CHECK (whistle_kind IN ('routine', 'hard_case', 'emergency')),
    state           text        NOT NULL CHECK (state IN ('summoned', 'checked_in', 'reported',
                                                          'missed', 'declined', 'excused',
                                                          'supervised')),
    summoned_at     timestamptz NOT NULL,
    check_in_by     timestamptz NOT NULL,
    checked_in_at   timestamptz,
    report_by       timestamptz NOT NULL,
    reported_at     timestamptz,
    missed_at       timestamptz,
    declined_at     timestamptz,
    ruled_at        timestamptz,
    supervised_at   timestamptz,
    -- the department's part, when it reports
    findings        text,
    actions         text,
    result          text,
    -- a decline and the supervisor's ruling on it
    declined_reason text,
    ruling          text,
    last_seq        integer     NOT NULL CHECK (last_seq > 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, whistle_seq, department),
    FOREIGN KEY (department, unit) REFERENCES departments (code, unit)
);

-- The county's supervision list: duties still owed, by how soon they fall due.
CREATE INDEX department_duties_owed ON department_duties (state, report_by)
    WHERE state NOT IN ('reported', 'excused');
