-- A merged case (migration 013, status `merged`) is finished: it no longer weighs on its
-- handler's load when the roster picks the handler with the fewest open cases. The partial
-- index of migration 006 is rebuilt with the same predicate as ledger/roster.py's count
-- (`domain.metrics.FINISHED`), word for word, so the planner still uses it.

DROP INDEX cases_open_by_assignee;
CREATE INDEX cases_open_by_assignee
    ON cases ((assignee ->> 'unit'), (assignee ->> 'name'), level)
    WHERE status NOT IN ('resolved', 'closed', 'withdrawn', 'referred', 'merged');
