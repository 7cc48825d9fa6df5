"""The shared token bucket: a burst, then refusal until the bucket refills, per key."""

from __future__ import annotations

import asyncio

from ledger import rate_limits


async def test_a_bucket_lets_its_burst_through_then_refuses(clean_pool):
    await clean_pool.execute("TRUNCATE api_rate_buckets")
    taken = [await rate_limits.take(clean_pool, "t1", rate=0.001, burst=3) for _ in range(5)]
    other = await rate_limits.take(clean_pool, "t2", rate=0.001, burst=3)
    assert taken == [True, True, True, False, False]
    assert other is True


async def test_a_bucket_refills_at_its_rate(clean_pool):
    await clean_pool.execute("TRUNCATE api_rate_buckets")
    assert await rate_limits.take(clean_pool, "t1", rate=20, burst=1)
    assert not await rate_limits.take(clean_pool, "t1", rate=20, burst=1)
    await asyncio.sleep(0.1)  # 20 a second: two requests' worth, capped at the burst of one
    assert await rate_limits.take(clean_pool, "t1", rate=20, burst=1)
    assert not await rate_limits.take(clean_pool, "t1", rate=20, burst=1)


async def test_concurrent_requests_never_spend_more_than_the_burst(clean_pool):
    await clean_pool.execute("TRUNCATE api_rate_buckets")
    taken = await asyncio.gather(
        *(rate_limits.take(clean_pool, "t1", rate=0.001, burst=5) for _ in range(20))
    )
    assert sum(taken) == 5
