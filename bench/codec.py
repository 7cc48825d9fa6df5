"""What payload encryption costs: the converter alone, and starting cases on a dev server.

    .venv/bin/python bench/codec.py [--payloads 2000] [--starts 300] [--rounds 5]

1. Converter: encode then decode a whole `CaseStart` (the intake and the policy, the largest
   payload the engine sends) `--payloads` times with the plain pydantic converter (A) and with
   `runtime.codec.data_converter()` (B), interleaved for `--rounds` rounds; also the bytes
   each payload takes on the server.
2. Starts: a Temporal dev server of its own on a free port; `--starts` cases started through
   `service.intake.start_case` (32 at once) by a plain client (A) and an encrypting one (B),
   interleaved for `--rounds` rounds. No worker runs: this is the client's side of intake.

Prints medians and the ratios B/A measured in this one run; the server and the client share
the machine's cores, so only the ratios mean anything, not the absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402
from temporalio.converter import DataConverter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from domain.case_models import CaseStart  # noqa: E402
from runtime.codec import KeyRing, data_converter  # noqa: E402
from service.intake import start_case  # noqa: E402
from tests import factories  # noqa: E402
from workflows import search_attributes as sa  # noqa: E402

TEMPORAL = Path(sys.executable).parent / "temporal"
PARTIES = [
    {"name": "欧阳春花", "role": "applicant", "phone": "13912345678",
     "id_number": "110101199003071234"},
    {"name": "司马秋实", "role": "respondent", "phone": "13887654321"},
]  # fmt: skip


async def convert(converter: DataConverter, value: CaseStart, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        payloads = await converter.encode([value])
        await converter.decode(payloads, [CaseStart])
    return time.perf_counter() - started


async def start_many(env: WorkflowEnvironment, converter: DataConverter, count: int) -> float:
    from temporalio.client import Client

    client = Client(env.client.service_client, namespace="default", data_converter=converter)
    prefix = uuid.uuid4().hex[:6]
    intakes = [factories.intake(f"B{prefix}-{n:05d}", parties=PARTIES) for n in range(count)]
    gate = asyncio.Semaphore(32)

    async def one(intake) -> None:
        async with gate:
            assert await start_case(client, intake, factories.DEFAULT_POLICY)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in intakes))
    return time.perf_counter() - started


def report(what: str, unit: str, a: list[float], b: list[float]) -> None:
    ma, mb = statistics.median(a), statistics.median(b)
    print(
        f"{what}: plain {ma:.3f} {unit}, encrypted {mb:.3f} {unit} (medians); B/A = {mb / ma:.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payloads", type=int, default=2000)
    parser.add_argument("--starts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    encrypted = data_converter(KeyRing.generate())
    value = factories.case_start("B-1", parties=PARTIES)

    plain_size = len((await pydantic_data_converter.encode([value]))[0].SerializeToString())
    sealed_size = len((await encrypted.encode([value]))[0].SerializeToString())
    print(f"CaseStart payload: {plain_size} bytes plain, {sealed_size} encrypted "
          f"(B/A = {sealed_size / plain_size:.3f})")  # fmt: skip

    a, b = [], []
    for _ in range(args.rounds):
        a.append(await convert(pydantic_data_converter, value, args.payloads))
        b.append(await convert(encrypted, value, args.payloads))
    per = [1e6 * t / args.payloads for t in a], [1e6 * t / args.payloads for t in b]
    report(f"encode+decode of a CaseStart ({args.payloads} x {args.rounds})", "µs", *per)

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL),
        search_attributes=list(sa.ALL),
        dev_server_log_level="error",
    )
    try:
        await start_many(env, pydantic_data_converter, 20)  # warm up the server
        a, b = [], []
        for _ in range(args.rounds):
            a.append(args.starts / await start_many(env, pydantic_data_converter, args.starts))
            b.append(args.starts / await start_many(env, encrypted, args.starts))
        report(f"cases started ({args.starts} x {args.rounds})", "/s", a, b)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
