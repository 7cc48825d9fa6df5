-- Who read a case's parties (names, phone numbers) and when: the case page and
-- `GET /api/cases/{case_id}` show them to the people of the case, and every such read is
-- recorded here. Keyed by (case, token, moment): a retried write records nothing twice.

CREATE TABLE party_reads (
    case_id  text        NOT NULL,
    token_id text        NOT NULL,
    name     text        NOT NULL,
    unit     text,
    role     text        NOT NULL,
    read_at  timestamptz NOT NULL,
    via      text        NOT NULL,
    PRIMARY KEY (case_id, token_id, read_at)
);

CREATE INDEX party_reads_reader ON party_reads (token_id, read_at);
