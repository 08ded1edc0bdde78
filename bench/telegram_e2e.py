"""`telegram`: updates/s end to end through python-telegram-bot, articlebot vs a bare PTB bot, same fake.

Each run starts a fresh fake Bot API process (`python -m tests.fakes.telegram_server`), pre-queues the same
N updates through its control API (a mix of `/section N` and `/comment text` from many users in a few group
chats), then starts the bot as its own process. The clock is the fake's: from its first getUpdates call to
the call that completes the N-th distinct answer (a successful sendMessage replying to one of the N user
messages). Three bots take turns: articlebot, the bare bot on PTB's default network layer (httpx), and the
bare bot on the aiohttp layer articlebot uses; the best of ROUNDS runs of each is reported, and the target
is judged against the faster bare bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import PYTHON, ROOT, Options, Result, Row, child_env, fmt, scratch
from tests.telegram_process import bot_env

NAME = "telegram"
TOKEN = "424242:BENCH-TOKEN"
CHATS = (-1001000000001, -1001000000002, -1001000000003, -1001000000004)
USERS = 240
SECTIONS = 6  # the bundled demo article
TARGET_RATIO = 0.9
PTB_CONCURRENCY = 16  # articlebot's adapter runs 16 workers (adapters/telegram/app.py WORKERS)
POLL_SECONDS = 0.05
# the bare bot on PTB's default network layer (httpx), and on the aiohttp one articlebot uses
TRANSPORT = {"bare": "httpx", "bare-aiohttp": "aiohttp"}
KINDS = ("articlebot", "bare", "bare-aiohttp")
ROUNDS = 3  # a 2,000-update run lasts about two seconds, so one run is noisy

WORDS = ("rent", "transit", "schools", "safety", "jobs", "housing", "parks", "broadband", "taxes", "neighbours",
         "commute", "markets", "clinics", "libraries", "noise", "trust")


@dataclass
class RunStats:
    kind: str
    updates: int
    answered: int = 0
    seconds: float | None = None
    timed_out: bool = False
    bot_exit: int | None = None
    failed_calls: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    bot_cpu_seconds: float | None = None  # CPU time spent from the first getUpdates seen to the end
    fake_cpu_seconds: float | None = None
    push_seconds: float = 0.0

    @property
    def rate(self) -> float:
        if not self.seconds or self.seconds <= 0:
            return 0.0
        return self.answered / self.seconds


def mixed_commands(n: int, groups: tuple[int, ...], prefix: str, seed: int = 7) -> list[tuple[int, int, str]]:
    """The same N (group, user, text) for every run and platform: users live in one group each; half read a
    section, half comment."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        user = 100_001 + rng.randrange(USERS)
        group = groups[user % len(groups)]
        if rng.random() < 0.5:
            text = f"{prefix}section {rng.randint(1, SECTIONS)}"
        else:
            text = f"{prefix}comment " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30)))
        out.append((group, user, text))
    return out


def workload(n: int, seed: int = 7) -> list[dict[str, Any]]:
    return [{"chat_id": chat, "user_id": user, "text": text, "first_name": f"Reader{user}"}
            for chat, user, text in mixed_commands(n, CHATS, "/", seed)]


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


async def start_fake(log: Path) -> tuple[asyncio.subprocess.Process, str]:
    with log.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "tests.fakes.telegram_server", "--host", "127.0.0.1", "--port", "0", "--token", TOKEN,
            cwd=str(ROOT), env=child_env(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=err)
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
    except TimeoutError:
        await stop_process(proc)
        raise RuntimeError("the fake Bot API did not print its URL within 20 s") from None
    url = line.decode().strip()
    if not url.startswith("http://127.0.0.1:"):
        await stop_process(proc)
        raise RuntimeError(f"the fake Bot API printed {url!r}, not a loopback URL")
    return proc, url


async def stop_process(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    return proc.returncode if proc.returncode is not None else -1


async def start_bot(kind: str, url: str, work: Path, log: Path, database: str | None = None
                    ) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        if kind == "articlebot":
            # tests' bot_env (rate limiter off, fresh database), but the production default admin cache (60 s)
            env = bot_env(url, TOKEN, database or work / "articlebot.db", ADMIN_CACHE_SECONDS="60", LOG_LEVEL="INFO")
            args = ["-m", "articlebot", "run"]
        else:
            env = child_env()
            args = ["-m", "bench.bare_telegram", "--base-url", url, "--token", TOKEN,
                    "--concurrency", str(PTB_CONCURRENCY), "--transport", TRANSPORT[kind]]
        return await asyncio.create_subprocess_exec(PYTHON, *args, cwd=str(work), env=env,
                                                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)


async def push_all(http: aiohttp.ClientSession, url: str, messages: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """Queues every message in order; returns their (chat id, message id) as the fake numbered them."""
    pushed: set[tuple[int, int]] = set()
    for body in messages:
        async with http.post(f"{url}/_control/message", json=body) as resp:
            resp.raise_for_status()
            message = (await resp.json())["message"]
        pushed.add((int(message["chat"]["id"]), int(message["message_id"])))
    return pushed


async def one_run(kind: str, messages: list[dict[str, Any]], work: Path, limit_seconds: float,
                  database: str | None = None) -> RunStats:
    """One run of `kind`; articlebot on `database` (a PostgreSQL URL) or a fresh SQLite file."""
    stats = RunStats(kind, len(messages))
    fake, url = await start_fake(work / f"fake-{kind}.log")
    bot: asyncio.subprocess.Process | None = None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            t = time.perf_counter()
            expected = await push_all(http, url, messages)
            stats.push_seconds = time.perf_counter() - t
            bot = await start_bot(kind, url, work, work / f"bot-{kind}.log", database)
            answered: set[tuple[int, int]] = set()
            first_poll: float | None = None
            cpu_start: tuple[float | None, float | None] = (None, None)
            done_at: float | None = None
            since = 0
            deadline = time.monotonic() + limit_seconds
            while time.monotonic() < deadline and bot.returncode is None:
                async with http.get(f"{url}/_control/calls_brief", params={"since": str(since)}) as resp:
                    resp.raise_for_status()
                    brief = await resp.json()
                since = brief["next"]
                for method, ok, at, chat_id, reply_to in brief["calls"]:
                    stats.calls[method] = stats.calls.get(method, 0) + 1
                    if not ok:
                        stats.failed_calls += 1
                    if method == "getUpdates" and first_poll is None:
                        first_poll = at
                    if method == "sendMessage" and ok and reply_to is not None:
                        key = (int(chat_id), int(reply_to))
                        if key in expected and key not in answered:
                            answered.add(key)
                            if len(answered) == len(expected):
                                done_at = at
                if first_poll is not None and cpu_start == (None, None):
                    cpu_start = (cpu_seconds(bot.pid), cpu_seconds(fake.pid))
                if done_at is not None:
                    break
                await asyncio.sleep(POLL_SECONDS)
            stats.answered = len(answered)
            stats.bot_cpu_seconds = _delta(cpu_start[0], cpu_seconds(bot.pid))
            stats.fake_cpu_seconds = _delta(cpu_start[1], cpu_seconds(fake.pid))
            if first_poll is not None:
                if done_at is None:
                    stats.timed_out = True
                    last = time.monotonic()  # same clock as the fake's on Linux (CLOCK_MONOTONIC)
                    stats.seconds = last - first_poll
                else:
                    stats.seconds = done_at - first_poll
    finally:
        if bot is not None:
            stats.bot_exit = await stop_process(bot)
        await stop_process(fake)
    return stats


def _delta(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


async def _run(opts: Options) -> Result:
    n = 300 if opts.quick else 2000
    rounds = ROUNDS
    limit = 60.0 if opts.quick else 240.0
    messages = workload(n)
    runs: list[RunStats] = []
    with scratch("telegram", opts) as work:
        for r in range(rounds):
            for kind in KINDS:
                run_dir = work / f"{kind}-{r}"
                run_dir.mkdir()
                runs.append(await one_run(kind, messages, run_dir, limit))
    result = Result(details={"updates": n, "runs_each": rounds, "ptb_concurrency": PTB_CONCURRENCY,
                             "chats": len(CHATS), "users": USERS, "runs": [asdict(s) | {"rate": s.rate} for s in runs]})
    best = {kind: max((s for s in runs if s.kind == kind), key=lambda s: s.rate) for kind in KINDS}
    label = {"articlebot": "articlebot updates/s", "bare": "bare PTB (httpx) updates/s",
             "bare-aiohttp": "bare PTB (aiohttp) updates/s"}
    for kind in KINDS:
        s = best[kind]
        note = "" if not s.timed_out else f" (timeout: {s.answered}/{s.updates})"
        result.add(Row(NAME, label[kind], s.rate, fmt(s.rate) + note))
    for kind in KINDS:
        s = best[kind]
        if s.bot_cpu_seconds is not None and s.answered:
            ms = s.bot_cpu_seconds * 1000 / s.answered
            result.add(Row(NAME, f"{kind} CPU ms/update", ms, fmt(ms, 2)))
    stock = best["articlebot"].rate / best["bare"].rate if best["bare"].rate else 0.0
    result.add(Row(NAME, "ratio articlebot/bare (PTB as shipped)", stock, fmt(stock, 2)))
    # the target is judged against the faster bare bot: the best python-telegram-bot can do on this machine
    fastest = max(best["bare"].rate, best["bare-aiohttp"].rate)
    ratio = best["articlebot"].rate / fastest if fastest else 0.0
    result.add(Row(NAME, "ratio articlebot/fastest bare", ratio, fmt(ratio, 2), f">= {TARGET_RATIO}",
                   ratio >= TARGET_RATIO))
    return result


def run(opts: Options) -> Result:
    return asyncio.run(_run(opts))
