-- The API's per-token rate limit, shared by every API process (ledger/rate_limits.py): one
-- token bucket per token, refilled on PostgreSQL's clock so that processes on several
-- machines agree. UNLOGGED: after a crash every bucket starts full, which is what a bucket
-- nobody used for a while would be; nothing else depends on these rows.
CREATE UNLOGGED TABLE api_rate_buckets (
    key     text PRIMARY KEY,
    -- Requests the token may still make now (at most the burst).
    level   double precision NOT NULL,
    at      timestamptz NOT NULL,
    -- Whether the last request was let through (what the statement returns).
    granted boolean NOT NULL
);
