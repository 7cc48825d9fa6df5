-- Related cases: links a clerk or handler made between two cases, stored both ways so each
-- case lists the other. `duplicate`: `case_id` was merged into `other_id` (the case that goes
-- on) and is counted once, as `other_id` (docs/metrics.md); the reverse row says `merged_from`.

CREATE TABLE case_links (
    case_id  text        NOT NULL REFERENCES cases (case_id),
    other_id text        NOT NULL REFERENCES cases (case_id),
    kind     text        NOT NULL CHECK (kind IN ('related', 'duplicate_of', 'merged_from')),
    note     text,
    actor    jsonb,
    at       timestamptz NOT NULL,
    PRIMARY KEY (case_id, other_id),
    CHECK (case_id <> other_id)
);

-- Look-alikes at intake: a party's phone or ID number (containment on the parties' array).
CREATE INDEX cases_parties ON cases USING gin ((intake -> 'parties') jsonb_path_ops);
-- …or the same village and dispute type reported close together.
CREATE INDEX cases_village_type ON cases (village, dispute_type, reported_at);
