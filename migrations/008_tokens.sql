-- People's credentials for the HTTP front door (api/): one row per token issued.
--
-- Only a SHA-256 of the token is kept; the token itself is printed once when issued. A token
-- belongs to a roster person (name, unit, level from the roster), a department's duty officer
-- (role = the department's code, unit = the department's unit), a party of one case
-- (role = applicant/respondent/third_party, case_id set) or an intake service
-- (role = 'intake'). The API takes the actor of every action from here, never from a request.

CREATE TABLE tokens (
    token_id   text        PRIMARY KEY,          -- short public id, for `tokens revoke`
    token_hash bytea       NOT NULL UNIQUE,      -- sha256 of the secret
    name       text        NOT NULL,
    unit       text,
    role       text        NOT NULL,
    level      text,                             -- the roster level; NULL for departments, intake
    case_id    text,                             -- a party's token acts on this case only
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX tokens_person ON tokens (name, unit);

-- The audit of refused attempts: who tried what on which case, and why it was refused.
CREATE TABLE refused_actions (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    token_id   text        NOT NULL,
    name       text        NOT NULL,
    unit       text,
    role       text        NOT NULL,
    case_id    text        NOT NULL,
    action     text        NOT NULL,
    reason     text        NOT NULL
);

CREATE INDEX refused_actions_case ON refused_actions (case_id, at);

-- Worklists: open cases by the unit holding them at their level, most urgent first.
CREATE INDEX cases_worklist ON cases (status, level, due_at);
