"""`writes`: durable comments/s through the core vs raw sqlite3 doing one INSERT per committed transaction.

Core side: a real `SqliteStore` on a fresh file (schema and demo article as the bot makes them),
`Core.handle` with `Command("comment", ...)` Events from 100 concurrent commenters (asyncio tasks, each its own
user, all in one group chat, each sending its comments one after another). Only `Core.handle` runs: the
adapter's `remember_sent` (a second small transaction per reply) is not part of this number.

Raw side: plain `sqlite3` from one thread, autocommit off, `BEGIN; INSERT INTO comments ...; COMMIT` per comment
into the same schema (same indexes to maintain) on the same disk, same journal mode (WAL) and synchronous level.
It does less than the core per comment (no numbering, no count upkeep, no idempotency check): it is the floor
the core is held against, not an equal workload.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path

from bench.common import Options, Result, Row, fmt, scratch
from bench.platform import BenchPlatform, seeded_store
from bot.core import Core
from bot.types import Chat, Command, Event, User
from storage.schema import MIGRATIONS

NAME = "writes"
COMMENTERS = 100
TARGET_RATIO = 0.5
CHAT = Chat("bench:writes", title="writes")
WORDS = ("rent", "transit", "schools", "safety", "jobs", "housing", "parks", "broadband", "taxes", "neighbours")


def texts(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30))) for _ in range(n)]


async def core_rate(target: Path | str, synchronous: str, n: int, limit_seconds: float
                    ) -> tuple[float, dict[str, int]]:
    """Comments/s through Core.handle, and facts about the run (the store's group-commit counters if it has them).
    `target` is a SQLite path or a PostgreSQL URL."""
    store = await seeded_store(target, synchronous)
    try:
        core = Core(store, admin_cache_seconds=60)
        platform = BenchPlatform()
        users = [User(f"bench:{i}", f"Commenter {i}") for i in range(COMMENTERS)]
        now = time.time()
        for user in users:  # known users, as in a running chat: the timed part is the comments
            await store.remember_user(user, now)
        bodies = texts(n)
        per_user = [bodies[i::COMMENTERS] for i in range(COMMENTERS)]

        async def commenter(i: int) -> None:
            for k, body in enumerate(per_user[i]):
                event = Event(users[i], CHAT, Command("comment", body), message_id=f"w{i}-{k}")
                outcome = await core.handle(event, platform)
                if outcome.notice is not None:
                    raise RuntimeError(f"comment refused: {outcome.notice}")

        t = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(commenter(i) for i in range(COMMENTERS))), limit_seconds)
        elapsed = time.perf_counter() - t
        facts = {name: value for name in ("groups", "grouped_writes")
                 if isinstance(value := getattr(store.db, name, None), int)}
    finally:
        await store.close()
    return n / elapsed, facts


def stored_comments(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM comments WHERE chat_key = ?", (CHAT.key,)).fetchone()[0])


def raw_rate(path: Path, synchronous: str, n: int, limit_seconds: float) -> float:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        for version, script in enumerate(MIGRATIONS, start=1):
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
        bodies = texts(n)
        deadline = time.monotonic() + limit_seconds
        t = time.perf_counter()
        for i, body in enumerate(bodies):
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key, text,"
                " status, created_at, source_id) VALUES (?, ?, 1, '', NULL, ?, ?, 'visible', ?, ?)",
                (CHAT.key, i + 1, f"bench:{i % COMMENTERS}", body, time.time(), f"r{i}"))
            conn.execute("COMMIT")
            if time.monotonic() > deadline:
                raise TimeoutError(f"raw sqlite3 wrote only {i + 1} of {n} rows in {limit_seconds:.0f} s")
        elapsed = time.perf_counter() - t
    finally:
        conn.close()
    return n / elapsed


def run(opts: Options) -> Result:
    n = 500 if opts.quick else 5000
    limit = 60.0 if opts.quick else 240.0
    result = Result(details={"comments": n, "commenters": COMMENTERS})
    with scratch("writes", opts) as work:
        for sync in ("FULL", "NORMAL"):
            core, facts = asyncio.run(core_rate(work / f"core-{sync}.db", sync, n, limit))
            stored = stored_comments(work / f"core-{sync}.db")
            if stored != n:
                raise RuntimeError(f"{sync}: {stored} comments stored, expected {n}")
            raw = raw_rate(work / f"raw-{sync}.db", sync, n, limit)
            ratio = core / raw
            result.details[sync] = {"core_per_s": core, "raw_per_s": raw, "ratio": ratio, "store": facts}
            result.add(Row(NAME, f"core comments/s ({sync})", core, fmt(core)))
            result.add(Row(NAME, f"raw sqlite3 inserts/s ({sync})", raw, fmt(raw)))
            if sync == "FULL":
                result.add(Row(NAME, "ratio core/raw (FULL)", ratio, fmt(ratio, 2), f">= {TARGET_RATIO}",
                               ratio >= TARGET_RATIO))
            else:
                result.add(Row(NAME, "ratio core/raw (NORMAL)", ratio, fmt(ratio, 2)))
    return result
