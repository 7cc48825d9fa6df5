"""Notification delivery: the outbox's rows leave the database and reach people.

`texts` words the human message, `channels` sends it (webhook, WeCom, DingTalk, SMS over
httpx), `routing` reads which recipient goes to which channel, `store` holds the SQL,
`dispatcher` is the process that ties them together, `metrics` what it exposes to Prometheus.
"""
