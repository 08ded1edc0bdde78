"""`postgres`: the write, read and end-to-end rows on PostgreSQL, each as a ratio within this run.

A throwaway cluster of PostgreSQL 15 (tests/pg_cluster.py) with its durable defaults (fsync, synchronous
commit, full page writes) on the project's disk, on 127.0.0.1 over TCP, as an operator's local server would be.

- driver: one connection inserting one row per transaction (autocommit), psycopg 3 vs asyncpg, and the round
  trip of `SELECT 1` on each: how the driver was chosen.
- writes: comments/s through `Core.handle` on a `PostgresStore` (100 concurrent commenters in one chat, as the
  `writes` benchmark does on SQLite) vs psycopg's raw single-row insert per transaction into the same table;
  and the same core on SQLite at synchronous=FULL, for choosing a store.
- reads: `/comments` p50/p99 through `Core.handle` on the 1k and 1M databases of `reads` (100k in --quick),
  copied into PostgreSQL with `articlebot db copy`'s code (the copy rate is a row too); the sizes take turns
  call by call. The one round trip every read costs is measured alongside.
- telegram: `articlebot run` end to end (the `telegram` benchmark's workload and clock) on PostgreSQL vs on
  SQLite, alternating, best of each.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import psycopg

from bench import telegram_e2e, writes
from bench.bigdb import CHAT, timed_database
from bench.common import Options, Result, Row, fmt, percentile, scratch
from bench.platform import BenchPlatform
from bot.core import Core
from bot.types import Chat, Command, Event, User
from storage.copy import copy_all
from storage.copy_postgres import PostgresEndpoint
from storage.copy_sqlite import SqliteEndpoint
from storage.postgres import migrate
from storage.postgres.store import PostgresStore
from tests.pg_cluster import binaries, cluster

NAME = "postgres"
WRITE_RATIO = 0.5
GROWTH_LIMIT = 1.5
CORE_MS_LIMIT = 2.0
INSERT = ("INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key, text, status,"
          " created_at, source_id) VALUES ($1, $2, 1, '', NULL, $3, $4, 'visible', $5, $6)")


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def psycopg_rates(url: str, n: int) -> tuple[float, list[float]]:
    bodies = writes.texts(n)
    sql = INSERT.replace("$1", "%s").replace("$2", "%s").replace("$3", "%s").replace("$4", "%s")
    sql = sql.replace("$5", "%s").replace("$6", "%s")
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        t = time.perf_counter()
        for i, body in enumerate(bodies):
            await conn.execute(sql, (writes.CHAT.key, i + 1, f"bench:{i % 100}", body, time.time(), f"p{i}"))
        rate = n / (time.perf_counter() - t)
        trips = []
        for _ in range(500):
            t = time.perf_counter()
            await conn.execute("SELECT 1")
            trips.append((time.perf_counter() - t) * 1000)
    return rate, trips


async def asyncpg_rates(url: str, n: int) -> tuple[float, list[float]]:
    import asyncpg  # only the benchmark uses it: the measure that chose psycopg

    bodies = writes.texts(n)
    conn = await asyncpg.connect(url)
    try:
        t = time.perf_counter()
        for i, body in enumerate(bodies):
            await conn.execute(INSERT, writes.CHAT.key, i + 1, f"bench:{i % 100}", body, time.time(), f"a{i}")
        rate = n / (time.perf_counter() - t)
        trips = []
        for _ in range(500):
            t = time.perf_counter()
            await conn.fetchval("SELECT 1")
            trips.append((time.perf_counter() - t) * 1000)
    finally:
        await conn.close()
    return rate, trips


async def read_samples(urls: dict[int, str], calls: int, warmup: int) -> tuple[dict[int, list[float]], list[float]]:
    stores = {size: await PostgresStore.open(url) for size, url in urls.items()}
    try:
        user, chat = User("console:bench-reader", "Bench Reader"), Chat(CHAT, title="bench")
        cores = {size: Core(store, admin_cache_seconds=60) for size, store in stores.items()}
        platform = BenchPlatform()
        samples: dict[int, list[float]] = {size: [] for size in urls}
        trips: list[float] = []
        any_store = next(iter(stores.values()))
        for i in range(warmup + calls):
            for size, core in cores.items():
                event = Event(user, chat, Command("comments"), message_id=f"r{i}")
                t = time.perf_counter()
                outcome = await core.handle(event, platform)
                elapsed = (time.perf_counter() - t) * 1000
                if outcome.notice is not None or not outcome.replies:
                    raise RuntimeError(f"/comments answered {outcome.notice!r}")
                if i >= warmup:
                    samples[size].append(elapsed)
            t = time.perf_counter()
            await any_store.db.fetchone("SELECT 1")
            if i >= warmup:
                trips.append((time.perf_counter() - t) * 1000)
    finally:
        for store in stores.values():
            await store.close()
    return samples, trips


def copied(path: Path, url: str) -> tuple[int, float]:
    """`articlebot db copy` of a SQLite database into the PostgreSQL one; (rows, seconds)."""
    asyncio.run(migrate(url))
    src, dst = SqliteEndpoint(path, create=False), PostgresEndpoint(url)
    try:
        t = time.perf_counter()
        report = copy_all(src, dst, batch=5000, progress=lambda *_: None)
        return sum(report.counts.values()), time.perf_counter() - t
    finally:
        src.close()
        dst.close()


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def run(opts: Options) -> Result:
    if binaries() is None:
        raise RuntimeError("PostgreSQL's server binaries are not installed (see .ci/run for the package)")
    n = 500 if opts.quick else 3000
    sizes = (1_000, 100_000) if opts.quick else (1_000, 1_000_000)
    calls, warmup = (200, 20) if opts.quick else (500, 50)
    result = Result(details={"inserts": n, "sizes": list(sizes), "calls": calls})
    details: dict[str, Any] = result.details
    with cluster(durable=True) as admin, scratch("postgres", opts) as work:
        # driver
        pg_rate, pg_trips = asyncio.run(psycopg_rates(migrated(fresh_database(admin, "driver_psycopg")), n))
        apg_rate, apg_trips = asyncio.run(asyncpg_rates(migrated(fresh_database(admin, "driver_asyncpg")), n))
        details["driver"] = {"psycopg_per_s": pg_rate, "asyncpg_per_s": apg_rate,
                             "psycopg_trip_p50_ms": percentile(pg_trips, 50),
                             "asyncpg_trip_p50_ms": percentile(apg_trips, 50)}
        result.add(Row(NAME, "psycopg inserts/s (1 row per transaction)", pg_rate, fmt(pg_rate)))
        result.add(Row(NAME, "asyncpg inserts/s (1 row per transaction)", apg_rate, fmt(apg_rate)))
        trip_ratio = percentile(pg_trips, 50) / percentile(apg_trips, 50)
        result.add(Row(NAME, "round trip p50 psycopg/asyncpg", trip_ratio, fmt(trip_ratio, 2)))

        # writes
        core, _ = asyncio.run(writes.core_rate(fresh_database(admin, "writes_core"), "FULL", n, 240.0))
        ratio = core / pg_rate
        details["writes"] = {"core_per_s": core, "raw_per_s": pg_rate}
        on_sqlite, _ = asyncio.run(writes.core_rate(work / "writes.db", "FULL", n, 240.0))
        details["writes"]["core_sqlite_full_per_s"] = on_sqlite
        result.add(Row(NAME, "core comments/s", core, fmt(core)))
        result.add(Row(NAME, "ratio core/raw psycopg insert", ratio, fmt(ratio, 2), f">= {WRITE_RATIO}",
                       ratio >= WRITE_RATIO))
        result.add(Row(NAME, "core comments/s on SQLite (FULL)", on_sqlite, fmt(on_sqlite)))
        result.add(Row(NAME, "ratio core PostgreSQL/SQLite", core / on_sqlite, fmt(core / on_sqlite, 2)))

        # reads
        urls: dict[int, str] = {}
        for size in sizes:
            path, _ = timed_database(size)
            urls[size] = fresh_database(admin, f"reads_{label(size).lower()}")
            rows, seconds = copied(path, urls[size])
            details[f"copy_{label(size)}"] = {"rows": rows, "seconds": seconds}
            if size == sizes[-1]:
                result.add(Row(NAME, f"db copy SQLite->PostgreSQL rows/s ({label(size)})", rows / seconds,
                               fmt(rows / seconds)))
        for url in urls.values():  # fresh statistics, as autovacuum would have them on a server that is up
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        samples, trips = asyncio.run(read_samples(urls, calls, warmup))
        small, big = sizes
        p99 = {size: percentile(samples[size], 99) for size in sizes}
        trip = percentile(trips, 50)
        for size in sizes:
            result.add(Row(NAME, f"/comments p50 ms @{label(size)}", percentile(samples[size], 50),
                           fmt(percentile(samples[size], 50), 3)))
            result.add(Row(NAME, f"/comments p99 ms @{label(size)}", p99[size], fmt(p99[size], 3)))
        result.add(Row(NAME, "round trip p50 ms (SELECT 1)", trip, fmt(trip, 3)))
        core_ms = p99[big] - trip
        result.add(Row(NAME, f"/comments p99 @{label(big)} less one round trip, ms", core_ms, fmt(core_ms, 3),
                       f"< {CORE_MS_LIMIT:g}", core_ms < CORE_MS_LIMIT))
        growth = p99[big] / p99[small]
        result.add(Row(NAME, f"/comments p99 {label(big)}/{label(small)}", growth, fmt(growth, 2),
                       f"<= {GROWTH_LIMIT:g}", growth <= GROWTH_LIMIT))

        # telegram end to end
        result.rows += asyncio.run(telegram_rows(admin, work, opts)).rows
    return result


def migrated(url: str) -> str:
    asyncio.run(migrate(url))
    return url


async def telegram_rows(admin: str, work: Path, opts: Options) -> Result:
    n = 300 if opts.quick else 2000
    messages = telegram_e2e.workload(n)
    best: dict[str, float] = {}
    for r in range(telegram_e2e.ROUNDS):
        for kind in ("sqlite", "postgres"):
            run_dir = work / f"telegram-{kind}-{r}"
            run_dir.mkdir()
            database = fresh_database(admin, f"telegram_{r}") if kind == "postgres" else None
            stats = await telegram_e2e.one_run("articlebot", messages, run_dir, 240.0, database=database)
            if stats.timed_out or stats.answered < n:
                raise RuntimeError(f"telegram on {kind}: {stats.answered} of {n} answered")
            best[kind] = max(best.get(kind, 0.0), stats.rate)
    out = Result()
    out.add(Row(NAME, "telegram updates/s on SQLite", best["sqlite"], fmt(best["sqlite"])))
    out.add(Row(NAME, "telegram updates/s on PostgreSQL", best["postgres"], fmt(best["postgres"])))
    ratio = best["postgres"] / best["sqlite"]
    out.add(Row(NAME, "ratio telegram PostgreSQL/SQLite", ratio, fmt(ratio, 2)))
    return out
