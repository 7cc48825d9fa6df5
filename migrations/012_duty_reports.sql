-- Report duties (零报告): what each reporting unit filed for each day it owed a report, and
-- the reminder and the escalation (督办) sent when it did not. The duties themselves come from
-- the duty policy (policies/duties.toml); a row exists once a unit filed, or was reminded.
-- Keyed by (unit, day): a repeated filing, reminder or escalation writes nothing twice.

CREATE TABLE duty_reports (
    unit         text        NOT NULL,
    day          date        NOT NULL,
    reports_to   text        NOT NULL,
    cutoff_at    timestamptz NOT NULL,
    kind         text        CHECK (kind IN ('zero', 'matters')),
    cases        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    note         text,
    filed_by     jsonb,
    filed_at     timestamptz,
    -- A zero report while a case from the unit had been reported that period: those cases.
    flagged      boolean     NOT NULL DEFAULT false,
    flag_cases   jsonb       NOT NULL DEFAULT '[]'::jsonb,
    reminded_at  timestamptz,
    escalated_at timestamptz,
    PRIMARY KEY (unit, day)
);

CREATE INDEX duty_reports_day ON duty_reports (day);

-- What the duty round told whom: the unit at the cut-off, the level above after the grace.
CREATE TABLE duty_notices (
    unit           text        NOT NULL,
    day            date        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('reminder', 'escalation')),
    recipient_unit text        NOT NULL,
    message        text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit, day, kind)
);

-- The duty policy in force (`starter.py duties schedule --policy FILE`), as the schedule's
-- rounds got it, so the API, the command line and the rounds read one table of duties.
CREATE TABLE duty_policy (
    id     boolean     PRIMARY KEY DEFAULT true CHECK (id),
    name   text        NOT NULL,
    policy jsonb       NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now()
);
