-- Indexes that make the monthly report and handler assignment independent of the ledger's
-- size (issue 9; bench/report.py measures both), and the new headline rates as columns.

-- "Cases received in the period": the report's first filter.
CREATE INDEX cases_opened_at ON cases (opened_at);

-- A handler's open cases (roster.assign_handler picks the one with the fewest): only the
-- cases still open are indexed, by the handler's unit and name, so counting one handler's load
-- reads that handler's open cases and nothing else. The status list is `domain.metrics.FINISHED`.
CREATE INDEX cases_open_by_assignee
    ON cases ((assignee ->> 'unit'), (assignee ->> 'name'), level)
    WHERE status NOT IN ('resolved', 'closed', 'withdrawn', 'referred');

-- The figures added by issue 9, queryable like the others (generated from `figures`).
ALTER TABLE assessments
    ADD COLUMN mediation_rate double precision
        GENERATED ALWAYS AS ((figures ->> 'mediation_rate')::double precision) STORED,
    ADD COLUMN solved_rate double precision
        GENERATED ALWAYS AS ((figures ->> 'solved_rate')::double precision) STORED,
    ADD COLUMN withdrawn integer
        GENERATED ALWAYS AS ((figures ->> 'withdrawn')::integer) STORED;
