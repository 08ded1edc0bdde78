"""`fleet`: Telegram webhook workers on one PostgreSQL database, 1, 2 and 3 of them, against one `articlebot
run` process polling on SQLite, all answering the same 2,000 updates (the `telegram` workload) in the same run.

The bench plays Telegram: it posts each update as a webhook to the workers in turn (at most 40 in flight, as
Telegram's max_connections allows) and counts, at the fake Bot API process, the answers that reply to them. For
SQLite it hands the same updates to the fake's getUpdates. Reported: updates/s, each configuration against the
single SQLite process, and the workers' CPU per update (what an operator sizes a fleet by). On a 2-core machine
the curve flattens at two workers: the workers, PostgreSQL, the fake and the bench share the two cores.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import PYTHON, Options, Result, Row, fmt, scratch
from bench.telegram_e2e import CHATS, TOKEN, cpu_seconds, start_fake, stop_process, workload
from tests.pg_cluster import binaries, cluster, free_port
from tests.telegram_process import bot_env

NAME = "fleet"
SECRET = "bench-fleet-webhook-secret"
IN_FLIGHT = 40
LIMIT_SECONDS = 240.0


def updates(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workload as Telegram updates (what the fake's message_update builds)."""
    out = []
    for i, m in enumerate(messages):
        command = m["text"].split(" ", 1)[0]
        out.append({"update_id": 10_000 + i, "message": {
            "message_id": 50_000 + i, "date": int(time.time()),
            "chat": {"id": m["chat_id"], "type": "supergroup", "title": f"Group {m['chat_id']}"},
            "from": {"id": m["user_id"], "is_bot": False, "first_name": m["first_name"]},
            "text": m["text"], "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]}})
    return out


async def answered(http: aiohttp.ClientSession, url: str, expected: set[int], limit: float) -> float | None:
    """Seconds (on the fake's clock) from the first answer to the last, once all are in; None on time out."""
    seen: set[int] = set()
    since, first, last = 0, None, None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        async with http.get(f"{url}/_control/calls_brief", params={"since": str(since)}) as resp:
            brief = await resp.json()
        since = brief["next"]
        for method, ok, at, _chat, reply_to in brief["calls"]:
            if method == "sendMessage" and ok and reply_to in expected and reply_to not in seen:
                seen.add(reply_to)
                first = at if first is None else min(first, at)
                last = at if last is None else max(last, at)
        if len(seen) == len(expected):
            return None if first is None or last is None else last - first
        await asyncio.sleep(0.05)
    return None


async def start_worker(fake_url: str, database: Path | str, work: Path, index: int, *, webhook: bool
                       ) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    env = bot_env(fake_url, TOKEN, database, TELEGRAM_WEBHOOK_SECRET=SECRET, ADMIN_CACHE_SECONDS="60",
                  LOG_LEVEL="INFO")
    args = ["-m", "articlebot", "run"]
    if webhook:
        args += ["--webhook-url", f"https://127.0.0.1:8443/w{index}", "--listen", "127.0.0.1", "--port", str(port)]
    log = work / f"worker{index}.log"
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(PYTHON, *args, cwd=str(work), env=env,
                                                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
    mark = b"receiving updates by webhook" if webhook else b"Telegram: signed in"
    for _ in range(600):
        if log.exists() and mark in log.read_bytes():
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError(f"worker {index} did not start; see {log}")
    return proc, port


async def one_run(workers: int | None, database: Path | str, work: Path, items: list[dict[str, Any]]
                  ) -> tuple[float, float | None]:
    """(updates/s, worker CPU ms per update); `workers` None: one polling process on SQLite."""
    fake, url = await start_fake(work / "fake.log")
    procs: list[asyncio.subprocess.Process] = []
    try:
        async with aiohttp.ClientSession() as http:
            count = workers or 1
            started = [await start_worker(url, database, work, i, webhook=workers is not None) for i in range(count)]
            procs = [p for p, _ in started]
            await asyncio.sleep(0.5)
            cpu_before = [cpu_seconds(p.pid) for p in procs]
            expected = {u["message"]["message_id"] for u in items}
            if workers is None:
                for u in items:
                    async with http.post(f"{url}/_control/push", json=u) as resp:
                        resp.raise_for_status()
            else:
                gate = asyncio.Semaphore(IN_FLIGHT)

                async def post(i: int, u: dict[str, Any]) -> None:
                    async with gate, http.post(f"http://127.0.0.1:{started[i % count][1]}/w{i % count}", json=u,
                                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                        resp.raise_for_status()

                asyncio.ensure_future(asyncio.gather(*(post(i, u) for i, u in enumerate(items))))
            seconds = await answered(http, url, expected, LIMIT_SECONDS)
            cpu_after = [cpu_seconds(p.pid) for p in procs]
        cpu = sum(b - a for a, b in zip(cpu_before, cpu_after, strict=True) if a is not None and b is not None)
        rate = len(items) / seconds if seconds else 0.0
        return rate, cpu * 1000 / len(items)
    finally:
        for proc in procs:
            await stop_process(proc)
        await stop_process(fake)


async def _run(opts: Options) -> Result:
    n = 300 if opts.quick else 2000
    items = updates(workload(n))
    rows: dict[str, tuple[float, float | None]] = {}
    with scratch("fleet", opts) as work:
        sqlite_dir = work / "sqlite"
        sqlite_dir.mkdir()
        rows["1 process, SQLite, polling"] = await one_run(None, sqlite_dir / "bot.db", sqlite_dir, items)
        with cluster() as server:
            import psycopg

            for workers in (1, 2, 3):
                name = f"w{workers}"
                with psycopg.connect(server, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                run_dir = work / name
                run_dir.mkdir()
                rows[f"{workers} webhook worker{'s' if workers > 1 else ''}, PostgreSQL"] = await one_run(
                    workers, server.rsplit("/", 1)[0] + f"/{name}", run_dir, items)
    result = Result(details={"updates": n, "in_flight": IN_FLIGHT, "chats": len(CHATS),
                             "runs": {k: {"rate": r, "cpu_ms": c} for k, (r, c) in rows.items()}})
    base = rows["1 process, SQLite, polling"][0]
    for label, (rate, cpu_ms) in rows.items():
        result.add(Row(NAME, f"{label}: updates/s", rate, fmt(rate)))
        if cpu_ms is not None:
            result.add(Row(NAME, f"{label}: worker CPU ms/update", cpu_ms, fmt(cpu_ms, 2)))
        if base:
            result.add(Row(NAME, f"{label}: vs 1 process on SQLite", rate / base, fmt(rate / base, 2)))
    return result


def run(opts: Options) -> Result:
    if binaries() is None:
        raise RuntimeError("PostgreSQL's binaries are not installed")
    return asyncio.run(_run(opts))


