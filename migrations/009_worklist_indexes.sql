-- The worklist (`starter.py list`, `GET /api/cases`, the web page; runtime/worklist.py) on a
-- ledger of 100,000 cases (bench/worklist.py): only the cases still on the ladder are indexed,
-- and in the worklist's order (due soonest first, no clock last), so a filter reads the few
-- thousand open cases, not the finished history, and stops after the first page. The predicate
-- is `runtime.worklist._LADDER_SQL`, repeated word for word in the query.

-- Every open case, most urgent first: `list`, `list --overdue`, `list --due-within 24h`.
CREATE INDEX cases_ladder_due ON cases (due_at, case_id)
    WHERE status IN ('open', 'paused', 'supervised');

-- By the unit holding the case at its level (`--unit`, and a person's own cases): the
-- expression is `runtime.worklist.HOLDER`.
CREATE INDEX cases_ladder_holder
    ON cases ((CASE level WHEN 'grid' THEN grid WHEN 'village' THEN village
                          WHEN 'township' THEN township ELSE county END), due_at)
    WHERE status IN ('open', 'paused', 'supervised');

-- By the handler's name (`--handler`).
CREATE INDEX cases_ladder_handler ON cases ((assignee ->> 'name'), due_at)
    WHERE status IN ('open', 'paused', 'supervised');
