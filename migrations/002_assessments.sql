-- Assessments (日清周评月考核): the figures of one unit for one period, as the daily, weekly or
-- monthly run computed them. One row per (kind, period, scope): re-running an assessment
-- replaces its row instead of adding another. Definitions of the figures: docs/metrics.md.
--
-- `figures` holds every figure (the `Metrics` model as JSON); the headline ones are generated
-- columns over it, so they can be queried and indexed but never disagree with the JSON.

CREATE TABLE assessments (
    kind         text        NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly')),
    period       text        NOT NULL,
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    scope_level  text        NOT NULL CHECK (scope_level IN ('grid', 'village', 'township', 'county')),
    scope_unit   text        NOT NULL,
    as_of        timestamptz NOT NULL,
    figures      jsonb       NOT NULL,
    -- the clearance list of this unit: overdue cases (and, daily, those due within 24 hours)
    due_cases    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    -- paths of the files written, relative to the reports directory
    files        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    received               integer GENERATED ALWAYS AS ((figures ->> 'received')::integer) STORED,
    resolved               integer GENERATED ALWAYS AS ((figures ->> 'resolved')::integer) STORED,
    grid_village_share     double precision
        GENERATED ALWAYS AS ((figures ->> 'grid_village_share')::double precision) STORED,
    mediation_success_rate double precision
        GENERATED ALWAYS AS ((figures ->> 'mediation_success_rate')::double precision) STORED,
    first_attempt_rate     double precision
        GENERATED ALWAYS AS ((figures ->> 'first_attempt_rate')::double precision) STORED,
    on_time_rate           double precision
        GENERATED ALWAYS AS ((figures ->> 'on_time_rate')::double precision) STORED,
    response_rate          double precision
        GENERATED ALWAYS AS ((figures ->> 'response_rate')::double precision) STORED,
    satisfaction_rate      double precision
        GENERATED ALWAYS AS ((figures ->> 'satisfaction_rate')::double precision) STORED,
    reopen_rate            double precision
        GENERATED ALWAYS AS ((figures ->> 'reopen_rate')::double precision) STORED,
    paused_hours           double precision
        GENERATED ALWAYS AS ((figures ->> 'paused_hours')::double precision) STORED,
    overdue                integer GENERATED ALWAYS AS ((figures ->> 'overdue')::integer) STORED,
    PRIMARY KEY (kind, period, scope_level, scope_unit)
);

-- "How did this township do over the last months?"
CREATE INDEX assessments_scope_period ON assessments (scope_level, scope_unit, kind, period);
