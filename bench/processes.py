"""Two of each process against one stack: the work divided, nothing done twice.

    .venv/bin/python bench/processes.py [--cases 300] [--acted 120] [--measure 60]

Starts an embedded PostgreSQL and a Temporal dev server (temporary folders), then two
workers (`worker.py`), two dispatchers (`python -m notify.dispatcher`, each delivering to its
own path of one local receiver) and two API processes (`python -m api.serve`), all as
production runs them. Then:

- `--cases` cases on `bench/seconds.toml` (a warning, a deadline or an escalation every few
  seconds, each notifying someone) and `--acted` on the default policy (they stay at the
  grid), started by `starter.py intake`;
- one grid worker's token records a contact on each acted case, the requests alternating
  between the two API processes as fast as they answer (a 429 is retried after a pause);
- another token asks `GET /api/me` `--hammer` times, 8 at once, alternating between the two
  API processes: the shared rate limit's test;
- `--measure` seconds later it reads who did what.

Printed: per worker, the share of workflow tasks and activities it ran (from the histories
of 60 cases: the identity each event names); per dispatcher, notifications delivered;
repeats (a message id received twice), steps written twice (an activity attempt above 1),
contacts recorded per acted case (must be exactly one); per API process, contacts answered
and the hammer's requests answered and refused (429), and the hammer's requests let through
against what one shared bucket allows (burst + rate × elapsed): ≤ 1.0 when the two
processes limit together, up to 2.0 if each kept its own bucket.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.delivery import PY, spawn, stop, wait_for  # noqa: E402
from bench.servers import postgres_at, temporal  # noqa: E402
from ledger import tokens  # noqa: E402
from tests.notify.receiver import Receiver  # noqa: E402

RATE, BURST = 5.0, 20.0


def records(n: int, prefix: str) -> str:
    """n copies of the first sample case (grid 钻石广场社区第七网格), reported now."""
    first = json.loads((ROOT / "samples/cases.jsonl").read_text().splitlines()[0])
    now = datetime.now(UTC).isoformat()
    lines = [
        json.dumps(dict(first, case_id=f"{prefix}-{i:05}", reported_at=now), ensure_ascii=False)
        for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def intake(env: dict[str, str], path: Path, policy: str | None = None) -> None:
    cmd = [PY, "starter.py", "intake", str(path)] + (["--policy", policy] if policy else [])
    done = await asyncio.to_thread(
        subprocess.run, cmd, cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"intake failed: {done.stderr[-2000:]}")


async def act(apis: list[str], token: str, case_ids: list[str]) -> tuple[dict, float]:
    """A contact on every case, alternating between the API processes; per API: answered,
    refused (429); and the seconds it took."""
    counts: dict[str, collections.Counter] = {api: collections.Counter() for api in apis}
    headers = {"Authorization": f"Bearer {token}"}
    began = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as http:
        i = 0
        for case_id in case_ids:
            while True:
                api = apis[i % len(apis)]
                i += 1
                r = await http.post(
                    f"{api}/api/cases/{case_id}/contact", json={"channel": "phone"}, headers=headers
                )
                counts[api][r.status_code] += 1
                if r.status_code == 200:
                    break
                if r.status_code != 429:
                    raise SystemExit(f"{api}: {r.status_code} {r.text[:300]}")
                await asyncio.sleep(0.05)
    return counts, time.monotonic() - began


async def hammer(apis: list[str], token: str, n: int) -> tuple[dict, float]:
    """`n` cheap requests, 8 at once, alternating between the API processes."""
    counts: dict[str, collections.Counter] = {api: collections.Counter() for api in apis}
    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(8)
    began = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as http:

        async def one(i: int) -> None:
            api = apis[i % len(apis)]
            async with gate:
                r = await http.get(f"{api}/api/me", headers=headers)
            counts[api][r.status_code] += 1

        await asyncio.gather(*(one(i) for i in range(n)))
    return counts, time.monotonic() - began


async def identities(client, case_ids: list[str]) -> tuple[dict, dict, int]:
    """Who ran the workflow tasks and the activities of these cases; activity attempts > 1."""
    from temporalio.api.enums.v1 import EventType

    tasks: collections.Counter = collections.Counter()
    activities: collections.Counter = collections.Counter()
    retried = 0
    for case_id in case_ids:
        history = await client.get_workflow_handle(f"case-{case_id}").fetch_history()
        for e in history.events:
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                tasks[e.workflow_task_completed_event_attributes.identity] += 1
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                a = e.activity_task_started_event_attributes
                activities[a.identity] += 1
                retried += a.attempt > 1
    return dict(tasks), dict(activities), retried


def shares(counter: dict) -> str:
    total = sum(counter.values()) or 1
    return ", ".join(f"{who}: {n} ({n / total:.0%})" for who, n in sorted(counter.items()))


async def measure(args: argparse.Namespace, tmp: Path) -> int:
    receiver = Receiver().start()
    procs: list[subprocess.Popen] = []
    async with postgres_at() as (url, pool), temporal(time_skipping=False) as env_t:
        client = env_t.client
        ring = client.data_converter.payload_codec.ring  # type: ignore[union-attr]
        env = {**os.environ, "DATABASE_URL": url,
               "TEMPORAL_ADDRESS": client.service_client.config.target_host,
               "TEMPORAL_NAMESPACE": client.namespace,
               "DISPUTE_NOTIFY_POLL": "1s", "DISPUTE_DATA_DIR": str(tmp / "data"),
               "DISPUTE_WORKER_METRICS_PORT": "off", "DISPUTE_DISPATCHER_METRICS_PORT": "off",
               "DISPUTE_API_RATE": str(RATE), "DISPUTE_API_BURST": str(BURST),
               "DISPUTE_COOKIE_SECURE": "0",
               "DISPUTE_PAYLOAD_KEYS": ring.as_text()}  # fmt: skip
        try:
            for i in range(2):
                log = tmp / f"worker-{i}.log"
                procs.append(spawn([PY, "worker.py"], env, log))
                wait_for(log, "worker started", procs[-1])
            for i in range(2):
                log = tmp / f"dispatcher-{i}.log"
                own = {**env, "DISPUTE_WEBHOOK_URL": f"{receiver.url}/d{i}"}
                procs.append(spawn([PY, "-m", "notify.dispatcher"], own, log))
                wait_for(log, "dispatcher started", procs[-1])
            apis = []
            for i in range(2):
                port = free_port()
                log = tmp / f"api-{i}.log"
                procs.append(spawn([PY, "-m", "api.serve", "--port", str(port)], env, log))
                apis.append(f"http://127.0.0.1:{port}")
            async with httpx.AsyncClient() as http:
                for api in apis:
                    for _ in range(150):
                        try:
                            if (await http.get(f"{api}/api/me")).status_code == 401:
                                break
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.2)
            noisy, quiet = tmp / "noisy.jsonl", tmp / "quiet.jsonl"
            noisy.write_text(records(args.cases, "N"), encoding="utf-8")
            quiet.write_text(records(args.acted, "Q"), encoding="utf-8")
            await intake(env, noisy, str(ROOT / "bench/seconds.toml"))
            await intake(env, quiet)
            acted = [f"Q-{i:05}" for i in range(args.acted)]
            opened = "SELECT count(*) FROM cases WHERE case_id LIKE 'Q-%'"
            async with asyncio.timeout(600):
                while await pool.fetchval(opened) < args.acted:  # noqa: ASYNC110 - the ledger
                    await asyncio.sleep(1)
            _, token = await tokens.issue(pool, "赵网格员", "钻石广场社区第七网格", "grid_worker")
            counts, _ = await act(apis, token, acted)
            _, other = await tokens.issue(pool, "王网格长", "钻石广场社区第七网格", "grid_worker")
            hammered, took = await hammer(apis, other, args.hammer)
            print(f"measuring for {args.measure:.0f} s ...", flush=True)
            await asyncio.sleep(args.measure)
            sample = [f"N-{i:05}" for i in range(0, args.cases, max(1, args.cases // 40))]
            sample += acted[:: max(1, args.acted // 20)]
            tasks, activities, retried = await identities(client, sample)
            contacts = await pool.fetch(
                "SELECT case_id, count(*) AS n FROM case_events"
                " WHERE case_id LIKE 'Q-%' AND kind = 'contacted' GROUP BY case_id"
            )
            gaps = await pool.fetchval(
                "SELECT count(*) FROM cases c WHERE c.last_seq <>"
                " (SELECT count(*) FROM case_events e WHERE e.case_id = c.case_id)"
            )
        finally:
            stop(procs)
            receiver.stop()
    got = [r for r in list(receiver.received) if isinstance(r.body, dict)]
    by_path = collections.Counter(r.path for r in got)
    ids = collections.Counter(r.body["id"] for r in got)
    repeats = sum(n - 1 for n in ids.values())
    print(f"workers, workflow tasks: {shares(tasks)}")
    print(f"workers, activities:     {shares(activities)}")
    print(f"dispatchers, notifications delivered: {shares(dict(by_path))}")
    twice = [r["case_id"] for r in contacts if r["n"] != 1]
    print(
        f"nothing twice: notifications received twice {repeats}; activity attempts above 1 "
        f"{retried}; cases whose events differ from their last seq {gaps}; acted cases with "
        f"other than one contact {len(twice) + args.acted - len(contacts)}"
    )
    let_through = sum(c[200] for c in hammered.values())
    allowed = BURST + RATE * took
    for api in apis:
        c, h = counts[api], hammered[api]
        print(f"API {api}: contacts answered {c[200]}; hammer answered {h[200]}, refused {h[429]}")
    print(
        f"rate limit: {let_through} requests let through in {took:.1f} s by the two API "
        f"processes; one shared bucket allows {allowed:.0f} (burst {BURST:g} + {RATE:g}/s): "
        f"ratio {let_through / allowed:.2f} (≤ 1.0: limited together; up to 2.0: each alone)"
    )
    busy = [tasks, activities, dict(by_path)]
    divided = all(len(c) == 2 and min(c.values()) > 0 for c in busy)
    clean = repeats == 0 and retried == 0 and gaps == 0 and not twice
    clean &= len(contacts) == args.acted
    return 0 if divided and clean and let_through <= allowed * 1.05 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--acted", type=int, default=120)
    parser.add_argument("--measure", type=float, default=60)
    parser.add_argument("--hammer", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-processes-") as tmp:
        os.chmod(tmp, 0o755)
        return asyncio.run(measure(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
