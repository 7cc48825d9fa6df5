"""The ledger in PostgreSQL: every SQL statement and its row types, one module per table group."""
