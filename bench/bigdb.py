"""Databases with many comments, built fast and cached under bench/results/dbs.

`SqliteStore.open` creates the real schema (and the demo article is saved through the store, as the bot does);
then plain sqlite3 `executemany` fills users and comments in one transaction, and the derived state the store
keeps is written to match: `chats.next_number` (per-chat numbering) and `section_counts` (visible comments per
section). `check` verifies both against the comments before a database is used or cached.

The chat read by the benchmarks is `console:bench` (so `articlebot console --chat bench` reads it too); 5 % more
comments (at least 100) are spread over three other chats. Comments are interleaved across chats in time
order, 97 % visible, 2 % deleted, 1 % removed, 10 % replies, on the demo's sections and the article as a whole.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import sqlite3
import time
from pathlib import Path

from bench.common import RESULTS
from bench.platform import seeded_store
from storage.schema import MIGRATIONS, SCHEMA_VERSION

BUILDER_VERSION = 1
CHAT = "console:bench"
CONSOLE_CHAT_ARG = "bench"
OTHER_CHATS = ("console:other-1", "console:other-2", "console:other-3")
USERS = 2000
WORDS = ("rent", "transit", "schools", "safety", "jobs", "housing", "parks", "broadband", "taxes", "neighbours",
         "commute", "markets", "clinics", "libraries", "noise", "trust", "the", "a", "and", "not", "really")
START = 1_700_000_000.0
BATCH = 50_000


def cache_key(size: int) -> str:
    digest = hashlib.sha256("\n".join(MIGRATIONS).encode()).hexdigest()[:10]
    return f"comments-{size}-schema{SCHEMA_VERSION}-{digest}-b{BUILDER_VERSION}"


def cache_dir() -> Path:
    return RESULTS / "dbs"


def database(size: int) -> tuple[Path, bool]:
    """The cached database with `size` comments in CHAT (built now if missing). Returns (path, built now)."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cache_key(size)}.db"
    if path.exists():
        return path, False
    for stale in folder.glob(f"comments-{size}-*.db*"):  # older schema or builder: not worth the disk
        stale.unlink()
    tmp = folder / f"building-{size}-{os.getpid()}.db"
    for leftover in folder.glob(f"building-{size}-{os.getpid()}.db*"):
        leftover.unlink()
    build(tmp, size)
    check(tmp)
    tmp.rename(path)
    return path, True


def _chat_sizes(size: int) -> dict[str, int]:
    others = max(100, size * 5 // 100)
    sizes = {CHAT: size}
    for i, chat in enumerate(OTHER_CHATS):
        sizes[chat] = others // len(OTHER_CHATS) + (1 if i < others % len(OTHER_CHATS) else 0)
    return sizes


def build(path: Path, size: int, seed: int = 1) -> None:
    async def create() -> None:
        store = await seeded_store(path)
        await store.close()

    asyncio.run(create())
    rng = random.Random(seed)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")  # building only; nothing here needs to survive a crash
        conn.execute("PRAGMA cache_size = -262144")
        article_id, keys = _demo_article(conn)
        sizes = _chat_sizes(size)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO users(user_key, name, name_fold, seen_at, handle_fold) VALUES (?, ?, ?, ?, ?)",
            [(f"console:reader{i}", f"Reader {i}", f"reader {i}", START, f"reader{i}") for i in range(USERS)])
        for chat in sizes:
            conn.execute("INSERT INTO chats(chat_key, article_id, next_number) VALUES (?, ?, ?)",
                         (chat, article_id, sizes[chat] + 1))
        # interleave chats in time order, the way a database grown by the bot has them
        order = [chat for chat, n in sizes.items() for _ in range(n)]
        rng.shuffle(order)
        numbers = dict.fromkeys(sizes, 0)
        rows: list[tuple[object, ...]] = []
        for i, chat in enumerate(order):
            numbers[chat] += 1
            number = numbers[chat]
            roll = rng.random()
            status = "visible" if roll < 0.97 else "deleted" if roll < 0.99 else "removed"
            parent = rng.randint(1, number - 1) if number > 1 and rng.random() < 0.1 else None
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))
            rows.append((chat, number, article_id, rng.choice(keys), parent, f"console:reader{rng.randrange(USERS)}",
                         text, status, START + i * 0.5, f"bench-{chat}-{number}"))
            if len(rows) >= BATCH:
                _insert(conn, rows)
                rows.clear()
        _insert(conn, rows)
        conn.execute(
            "INSERT INTO section_counts(chat_key, article_id, section_key, visible)"
            " SELECT chat_key, article_id, section_key, count(*) FROM comments WHERE status = 'visible'"
            " GROUP BY chat_key, article_id, section_key")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _demo_article(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    article_id = int(conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0])
    keys = [r[0] for r in conn.execute(
        "SELECT key FROM sections WHERE article_id = ? AND position > 0 ORDER BY position", (article_id,))]
    if not keys:
        raise RuntimeError("the demo article has no sections")
    return article_id, [*keys, ""]  # "" is a comment on the article as a whole


def _insert(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key, text, status,"
        " created_at, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def check(path: Path) -> dict[str, int]:
    """Derived state matches the comments: section_counts and each chat's next number. Raises if not."""
    conn = sqlite3.connect(str(path))  # read-write only so that closing it tidies the -wal and -shm files
    try:
        counted = set(conn.execute(
            "SELECT chat_key, article_id, section_key, count(*) FROM comments WHERE status = 'visible'"
            " GROUP BY chat_key, article_id, section_key"))
        kept = set(conn.execute(
            "SELECT chat_key, article_id, section_key, visible FROM section_counts WHERE visible != 0"))
        if counted != kept:
            raise RuntimeError(f"{path.name}: section_counts differ from the comments ({len(counted ^ kept)} rows)")
        bad = conn.execute(
            "SELECT count(*) FROM chats h WHERE h.next_number !="
            " 1 + coalesce((SELECT max(number) FROM comments c WHERE c.chat_key = h.chat_key), 0)").fetchone()[0]
        if bad:
            raise RuntimeError(f"{path.name}: {bad} chats have a next_number out of step with their comments")
        in_chat = conn.execute("SELECT count(*) FROM comments WHERE chat_key = ?", (CHAT,)).fetchone()[0]
        return {"comments_in_chat": int(in_chat)}
    finally:
        conn.close()


def timed_database(size: int) -> tuple[Path, float | None]:
    """`database(size)` and how long building it took (None when it came from the cache)."""
    t = time.perf_counter()
    path, built = database(size)
    return path, (time.perf_counter() - t) if built else None
