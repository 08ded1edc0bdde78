"""`reads`: core latency of listing commands as the chat's comment count grows (1k, 100k, 1M).

On each cached database (bench/bigdb.py) a `SqliteStore` + `Core` answer, round-robin (the sizes taking turns
call by call), `/sections` (per-section
counts), `/comments` (newest ten), `/comments N` (one section) and a "More" press (the keyset button data of
a comments page, `c:<article>:*:<before>`; chains of ten presses, each chain starting at a random depth).
Only `await core.handle(event, platform)` is timed (perf_counter), after a warm-up; p50 and p99 per command.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.bigdb import CHAT, timed_database
from bench.common import Options, Result, Row, fmt, percentile
from bench.platform import BenchPlatform
from bot.actions import Verb, encode
from bot.core import Core
from bot.types import ButtonPress, Chat, Command, Event, Outcome, User
from storage.sqlite import SqliteStore

NAME = "reads"
P99_LIMIT_MS = 2.0
GROWTH_LIMIT = 1.5
KINDS = ("/sections", "/comments", "/comments N", "More")
CHAIN = 10


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


class Pager:
    """Presses "More" as a reader would: the button data of the page shown last, in chains of CHAIN presses,
    each chain starting at a random depth (the data a More button on that page carries)."""

    def __init__(self, article_id: int, newest: int, rng: random.Random) -> None:
        self.article_id = article_id
        self.newest = newest
        self.rng = rng
        self.data: str | None = None
        self.left = 0

    def next_data(self) -> str:
        if self.data is None or self.left <= 0:
            before = self.rng.randint(min(20, self.newest), self.newest)
            self.data = encode(Verb.COMMENTS, self.article_id, "*", before)
            self.left = CHAIN
        self.left -= 1
        return self.data

    def seen(self, outcome: Outcome) -> None:
        self.data = next((b.data for r in outcome.replies for row in r.buttons for b in row
                          if b.data.startswith(f"{Verb.COMMENTS.value}:")), None)


def warm_file_cache(path: Path) -> None:
    """Reads the database file once, so the OS page cache holds it as it would on a server that has been up:
    otherwise the first deep "More" pages measure the disk (page faults), not the bot."""
    with path.open("rb") as f:
        while f.read(1 << 20):
            pass


class SizeUnderTest:
    """One database size: its store, its core, and the four commands as events."""

    def __init__(self, size: int, store: SqliteStore, article_id: int, sections: int) -> None:
        self.size = size
        self.store = store
        self.core = Core(store, admin_cache_seconds=60)
        self.platform = BenchPlatform()
        rng = random.Random(size)
        user = User("console:bench-reader", "Bench Reader")
        chat = Chat(CHAT, title="bench")
        ids = iter(range(10**9))
        self.pager = Pager(article_id, size, rng)

        def event(payload: Command | ButtonPress) -> Event:
            return Event(user, chat, payload, message_id=f"r{next(ids)}")

        self.makers: dict[str, Callable[[], Event]] = {
            "/sections": lambda: event(Command("sections")),
            "/comments": lambda: event(Command("comments")),
            "/comments N": lambda: event(Command("comments", str(rng.randint(1, sections)))),
            "More": lambda: event(ButtonPress(self.pager.next_data())),
        }

    async def one(self, kind: str) -> float:
        ev = self.makers[kind]()
        t = time.perf_counter()
        outcome = await self.core.handle(ev, self.platform)
        elapsed = time.perf_counter() - t
        if outcome.notice is not None or not outcome.replies:
            raise RuntimeError(f"{kind} on {label(self.size)} answered {outcome.notice!r}")
        if kind == "More":
            self.pager.seen(outcome)
        return elapsed * 1000


async def measure(sizes: tuple[int, ...], calls: int, warmup: int) -> dict[int, dict[str, list[float]]]:
    """Samples per size and command. The sizes take turns call by call, so a slower stretch of the machine
    (a neighbour, a frequency change) touches every size alike and the 1M/1k ratio stays fair."""
    subjects: list[SizeUnderTest] = []
    try:
        for size in sizes:
            path, _ = timed_database(size)
            warm_file_cache(path)
            store = await SqliteStore.open(path)
            article = (await store.list_articles())[0]
            subjects.append(SizeUnderTest(size, store, article.id, article.section_count))
        samples: dict[int, dict[str, list[float]]] = {size: {kind: [] for kind in KINDS} for size in sizes}
        for i in range(warmup + calls):
            for subject in subjects:
                for kind in KINDS:
                    elapsed = await subject.one(kind)
                    if i >= warmup:
                        samples[subject.size][kind].append(elapsed)
    finally:
        for subject in subjects:
            await subject.store.close()
    return samples


def run(opts: Options) -> Result:
    sizes = (1_000, 100_000) if opts.quick else (1_000, 100_000, 1_000_000)
    calls = 200 if opts.quick else 500
    warmup = 20 if opts.quick else 50
    limit = 120.0 if opts.quick else 600.0  # all sizes together, after building
    result = Result(details={"sizes": list(sizes), "calls": calls, "warmup": warmup, "built_seconds": {}})
    p99: dict[tuple[str, int], float] = {}
    t = time.perf_counter()
    for size in sizes:
        _, built = timed_database(size)
        if built is not None:
            result.details["built_seconds"][label(size)] = built
    every = asyncio.run(asyncio.wait_for(measure(sizes, calls, warmup), limit))
    result.details["seconds"] = time.perf_counter() - t
    for size in sizes:
        samples = every[size]
        result.details[label(size)] = {
            kind: {"p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99), "max_ms": max(v)}
            for kind, v in samples.items()}
        for kind in KINDS:
            p50 = percentile(samples[kind], 50)
            p99[kind, size] = percentile(samples[kind], 99)
            result.add(Row(NAME, f"{kind} p50 ms @{label(size)}", p50, fmt(p50, 3)))
            result.add(Row(NAME, f"{kind} p99 ms @{label(size)}", p99[kind, size], fmt(p99[kind, size], 3),
                           f"< {P99_LIMIT_MS:g}", p99[kind, size] < P99_LIMIT_MS))
    small, big = sizes[0], sizes[-1]
    for kind in KINDS:
        growth = p99[kind, big] / p99[kind, small]
        result.add(Row(NAME, f"{kind} p99 {label(big)}/{label(small)}", growth, fmt(growth, 2),
                       f"<= {GROWTH_LIMIT:g}", growth <= GROWTH_LIMIT))
    return result
