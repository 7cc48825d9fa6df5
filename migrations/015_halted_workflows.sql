-- Cases whose workflow ended outside the engine (terminated, failed, timed out) while the
-- ledger still held them open: the reconciler (workflows/reconcile.py, on a Temporal schedule)
-- writes one row per run it finds, and an outbox row tells the case's supervisor. The case's
-- own status stays as it was, so it stays on the worklists until someone restarts or closes it.
CREATE TABLE halted_workflows (
    case_id     text        NOT NULL REFERENCES cases (case_id),
    run_id      text        NOT NULL,
    status      text        NOT NULL,            -- terminated, failed, timed_out
    closed_at   timestamptz,
    noticed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, run_id)
);
