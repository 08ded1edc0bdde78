"""`core`: what articlebot's own work costs per event, with no platform at all.

The end-to-end workload (the same 2,000 `/section N` and `/comment …` from 240 users in 4 chats, 16 at a
time) goes straight into `Core.handle` on a fresh database (the bot's default `synchronous=NORMAL`), with a
platform that does nothing. CPU time of the whole process (event loop and SQLite's writer thread together) per
event, median of three runs: the floor under the bot's cost per event that no adapter work can remove. The end
to end benchmarks use it to state the best ratio a bot with this core could reach over a bare library bot.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from bench.common import Options, Result, Row, fmt, scratch
from bench.platform import BenchPlatform, seeded_store
from bench.telegram_e2e import CHATS, mixed_commands
from bot.core import Core
from bot.types import Chat, Command, Event, User

NAME = "core"
CONCURRENCY = 16
RUNS = 3


async def one_run(n: int, opts: Options) -> float:
    """CPU milliseconds per event for n events."""
    with scratch("core", opts) as work:
        store = await seeded_store(work / "core.db")
        try:
            core = Core(store, admin_cache_seconds=60)
            platform = BenchPlatform()
            events = []
            for i, (chat, user, text) in enumerate(mixed_commands(n, CHATS, "/")):
                name, _, args = text[1:].partition(" ")
                events.append(Event(User(f"telegram:{user}", f"Reader{user}"), Chat(f"telegram:{chat}"),
                                    Command(name, args), message_id=str(i)))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def handle(event: Event) -> None:
                async with gate:
                    outcome = await core.handle(event, platform)
                if outcome.notice is not None:
                    raise RuntimeError(f"{event.payload} was refused: {outcome.notice}")

            start = time.process_time()
            await asyncio.gather(*(handle(e) for e in events))
            return (time.process_time() - start) * 1000 / n
        finally:
            await store.close()


def cpu_ms_per_event(opts: Options) -> float:
    n = 300 if opts.quick else 2000
    return statistics.median(asyncio.run(one_run(n, opts)) for _ in range(RUNS))


def ceiling(bare_ms: float | None, core_ms: float) -> float | None:
    """The best articlebot/bare throughput ratio if the adapter cost no more than the bare bot does."""
    return None if not bare_ms else bare_ms / (bare_ms + core_ms)


def run(opts: Options) -> Result:
    ms = cpu_ms_per_event(opts)
    result = Result(details={"cpu_ms_per_event": ms, "runs": RUNS, "concurrency": CONCURRENCY})
    result.add(Row(NAME, "core alone CPU ms/event", ms, fmt(ms, 3)))
    return result
