-- Overdue means overdue everywhere (domain/urgency.py): each case's earliest running deadline
-- over all its clocks (the level's, a mediation track's statutory window, judicial
-- confirmation's steps, return visits, supervision since the county's deadline passed), which
-- clock sets it, and when its next return visit is due. The workflow writes them with every
-- snapshot; the worklist, its counts and tabs compare them with now.

ALTER TABLE cases
    ADD COLUMN deadline       timestamptz,
    ADD COLUMN deadline_clock text,
    ADD COLUMN visit_due_at   timestamptz;

-- The cases written before: an open case's level deadline; a supervised case is overdue since
-- it came under supervision (its latest `supervised` event).
UPDATE cases SET deadline = due_at, deadline_clock = 'level'
 WHERE status = 'open' AND due_at IS NOT NULL;
UPDATE cases c
   SET deadline = s.at, deadline_clock = 'supervised'
  FROM (SELECT case_id, max(at) AS at FROM case_events WHERE kind = 'supervised'
         GROUP BY case_id) s
 WHERE c.case_id = s.case_id AND c.status = 'supervised';

-- The worklist in urgency order (overdue longest first, then soonest due, no clock last).
CREATE INDEX cases_ladder_deadline ON cases (deadline, case_id)
    WHERE status IN ('open', 'paused', 'supervised');
-- The return-visit queue: resolved cases with a visit pending.
CREATE INDEX cases_visits_due ON cases (visit_due_at) WHERE status = 'resolved';

-- The report counts the cases received (受理) in a period by when they were reported, not by
-- when the engine opened them (a case reported in November and entered in December is
-- November's).
CREATE INDEX cases_reported_at ON cases (reported_at);
