-- One audit of every refused attempt to act (`starter.py audit`): the API's 401, 403 and 422
-- on actions and the workers' refusals of an update that reached Temporal without the front
-- door's signed actor assertion (runtime/actor_assertion.py). The person is whoever the token
-- named (NULL for a missing or unknown token; the actor an unsigned update claimed, for the
-- workers'); `source` is the client's address for the API, 'temporal' for the workers.
ALTER TABLE refused_actions ALTER COLUMN token_id DROP NOT NULL;
ALTER TABLE refused_actions ALTER COLUMN name DROP NOT NULL;
ALTER TABLE refused_actions ALTER COLUMN role DROP NOT NULL;
ALTER TABLE refused_actions ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE refused_actions ADD COLUMN status integer NOT NULL DEFAULT 403;
ALTER TABLE refused_actions ADD COLUMN source text;

CREATE INDEX refused_actions_at ON refused_actions (at);
