"""`webpage`: live pages of one discussion, open at once: how soon a new comment reaches every open page, and how
many store queries the open pages cost, with the server's one watcher per discussion against a baseline in the
same run that gives every page a watcher of its own (what serving each page's stream on its own would do).

A `SqliteStore` with the demo article, the real `WebPageServer` on 127.0.0.1 and PAGES event streams read with
aiohttp in this process; a comment is written through the core every GAP_S seconds, COMMENTS times. Latency: from
the core's answer to the moment the last open page has read the comment's event. Queries: the store's
`comment_changes` calls per second while the pages are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from adapters.webpage.live import Change, LiveDiscussions, Watcher
from adapters.webpage.server import WebPageServer
from bench.common import Options, Result, Row, fmt, percentile, scratch
from bench.platform import BenchPlatform
from bot.core import Core
from bot.importer import parse_article
from bot.records import ModlogEntry
from bot.types import Chat, Command, Event, User
from storage.open import open_store
from tests.support import DEMO

NAME = "webpage"
CHAT = "bench:room"
GAP_S = 0.2


class PerPageWatchers(LiveDiscussions):
    """The baseline: every open page watches the discussion on its own."""

    @contextlib.asynccontextmanager
    async def subscribe(self, discussion: str, since: float) -> AsyncIterator[asyncio.Queue[list[Change] | None]]:
        queue: asyncio.Queue[list[Change] | None] = asyncio.Queue()
        watcher = Watcher(discussion, await self.store.latest_change(discussion))
        watcher.queues.add(queue)
        watcher.task = asyncio.create_task(self._watch(watcher))
        try:
            await self._catch_up(queue, discussion, since)
            yield queue
        finally:
            watcher.task.cancel()


async def run_mode(work: Path, mode: str, pages: int, comments: int) -> dict[str, float]:
    store = await open_store(work / f"{mode}.db")
    await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), 1.0)
    calls = 0
    counted = store.comment_changes

    async def comment_changes(chat_key: str, since: float, limit: int) -> list[Change]:
        nonlocal calls
        calls += 1
        return await counted(chat_key, since, limit)

    store.comment_changes = comment_changes  # type: ignore[method-assign]
    server = WebPageServer(store, listen="127.0.0.1", port=0)
    if mode == "per page":
        server.live = PerPageWatchers(store)
    await server.start()
    core = Core(store, web_base_url=f"http://127.0.0.1:{server.bound_port}")
    page = await store.open_web_page(CHAT, "b" * 24, 1.0, ModlogEntry(CHAT, 1.0, "bench:boss", "web", "on"))
    url = f"http://127.0.0.1:{server.bound_port}/d/{page.token}/events"
    arrived: dict[str, list[float]] = {}
    everywhere: dict[str, asyncio.Event] = {}  # set once every open page has read that comment
    opened = 0
    all_open = asyncio.Event()
    latencies: list[float] = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            async def reader() -> None:
                nonlocal opened
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=None)) as response:
                    opened += 1
                    if opened == pages:
                        all_open.set()
                    async for line in response.content:
                        text = line.decode()
                        for word in text.split('"text":"')[1:]:
                            key = word.split('"', 1)[0]
                            arrived.setdefault(key, []).append(time.perf_counter())
                            if len(arrived[key]) >= pages and key in everywhere:
                                everywhere[key].set()

            readers = [asyncio.create_task(reader()) for _ in range(pages)]
            async with asyncio.timeout(60):
                await all_open.wait()
            await asyncio.sleep(1.0)  # every page has caught up: from now on only watching costs queries
            calls_before, idle_start = calls, time.perf_counter()
            await asyncio.sleep(2.0)
            idle_rate = (calls - calls_before) / (time.perf_counter() - idle_start)
            platform = BenchPlatform()
            for i in range(comments):
                words = f"comment {i}"
                everywhere[words] = asyncio.Event()
                event = Event(User(f"bench:u{i % 20}", f"U{i % 20}"), Chat(CHAT), Command("comment", words),
                              message_id=f"m{i}")
                await core.handle(event, platform)
                answered = time.perf_counter()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(5.0):
                        await everywhere[words].wait()
                got = arrived.get(words, [])
                latencies.append((max(got) - answered) * 1000 if len(got) >= pages else 5000.0)
                await asyncio.sleep(GAP_S)
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
    finally:
        await server.stop()
        await store.close()
    return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "idle_queries": idle_rate}


async def _run(opts: Options) -> Result:
    pages = 50 if opts.quick else 200
    comments = 10 if opts.quick else 40
    result = Result(details={"pages": pages, "comments": comments, "gap_s": GAP_S})
    with scratch(NAME, opts) as work:
        found = {mode: await run_mode(work, mode, pages, comments) for mode in ("shared", "per page")}
    for mode, tag in (("shared", "one watcher per discussion"), ("per page", "baseline: a watcher per page")):
        m = found[mode]
        result.add(Row(NAME, f"new comment on all {pages} pages p50 ms ({tag})", m["p50"], fmt(m["p50"], 1)))
        result.add(Row(NAME, f"new comment on all {pages} pages p99 ms ({tag})", m["p99"], fmt(m["p99"], 1)))
        result.add(Row(NAME, f"store queries/s, {pages} pages open ({tag})", m["idle_queries"],
                       fmt(m["idle_queries"], 1)))
    ratio = found["per page"]["idle_queries"] / max(found["shared"]["idle_queries"], 1e-9)
    result.add(Row(NAME, "store queries: baseline / shared", ratio, fmt(ratio, 0)))
    return result


def run(opts: Options) -> Result:
    return asyncio.run(_run(opts))
