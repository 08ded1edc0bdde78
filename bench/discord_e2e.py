"""`discord`: events/s end to end through discord.py, articlebot vs a bare discord.py bot, same fake.

Each run starts a fresh fake Discord process (`python -m tests.fakes.discord_server`, REST + gateway), starts
the bot as its own process against it and waits until the bot says it is ready (its on_ready). Then the same N
MESSAGE_CREATE events (text commands: half `!section N`, half `!comment text`, from many users in a few
channels) are dispatched through the fake's control API, in two modes: "window" (the headline: never more than
WINDOW events sent but not yet answered, each answer lets the next one go, like a bot pulling batches of updates)
and "burst" (all N at once: a backlog of N events in the bot, for information). The clock is the fake's: from
sending the first event to the REST call that completes the N-th distinct answer (a message created in reply to
one of the N events). Per mode, runs alternate articlebot, bare, articlebot, bare, ... (ROUNDS each); the best
run of each is reported.

A third mode, "slash", sends `/section N` as slash commands. There the bare bot gives the same answer as
articlebot: text as long, and the same row of navigation buttons (a `discord.ui.View`, the way a discord.py bot
sends buttons); the fake's own work per answer grows with its size and buttons, and on two cores the fake is as
busy as the bot, so a lighter answer would measure the fake as much as the bot. A bare bot answering with text
only runs too, for information. Slash runs take about a second each, so they get SLASH_ROUNDS rounds.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from adapters.discord.limits import MESSAGE_LIMIT
from bench import core_cost
from bench.bare_discord import ANSWER_CHARS as TEXT_ANSWER_CHARS
from bench.common import PYTHON, ROOT, Options, Result, Row, child_env, fmt, scratch
from bench.telegram_e2e import SECTIONS, USERS, cpu_seconds, mixed_commands, stop_process
from bot.importer import parse_article
from tests.support import DEMO

NAME = "discord"
TOKEN = "BENCH.DISCORD.TOKEN"
GUILD = 2000
CHANNELS = (3001, 3002, 3003, 3004)
TARGET_RATIO = 0.9
POLL_SECONDS = 0.05
READY_LIMIT_S = 30.0
ROUNDS = 3  # a 2,000-event run lasts one or two seconds, so one run is noisy
SLASH_ROUNDS = 5  # a slash run lasts about one second
WINDOW = 100  # events in flight in the "window" mode (Telegram's getUpdates hands out at most 100 at a time)
MODES = {"window": WINDOW, "burst": 0, "slash": WINDOW}  # slash: /section N as slash commands, windowed
SLASH_CHANNELS = tuple(range(3001, 3011))  # 50 members in 10 channels (the fake makes these channels)
SLASH_USERS = 50
ANSWER_CHARS = {"window": TEXT_ANSWER_CHARS, "burst": TEXT_ANSWER_CHARS, "slash": TEXT_ANSWER_CHARS}
BARE_READY = b"bare discord bot ready"
READY_MARK = {"articlebot": b"Discord: ready in", "bare": BARE_READY, "bare-text": BARE_READY}
# who runs in each mode; in "slash" mode "bare" answers with articlebot's buttons and "bare-text" without
KINDS = {"window": ("articlebot", "bare"), "burst": ("articlebot", "bare"),
         "slash": ("articlebot", "bare", "bare-text")}


@dataclass
class RunStats:
    kind: str
    mode: str
    events: int
    answered: int = 0
    seconds: float | None = None
    timed_out: bool = False
    bot_exit: int | None = None
    startup_seconds: float | None = None  # bot process start to its ready line
    failed_calls: int = 0
    counts: dict[str, Any] = field(default_factory=dict)  # the fake's counters at the end
    bot_cpu_seconds: float | None = None  # over the measured window
    fake_cpu_seconds: float | None = None
    comments_stored: int | None = None  # articlebot only: comments in its database afterwards

    @property
    def rate(self) -> float:
        if not self.seconds or self.seconds <= 0:
            return 0.0
        return self.answered / self.seconds


def slash_workload(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """`/section N` as slash commands from SLASH_USERS members, each in one of SLASH_CHANNELS."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        user = 200_001 + rng.randrange(SLASH_USERS)
        out.append({"channel_id": SLASH_CHANNELS[user % len(SLASH_CHANNELS)], "author_id": user,
                    "username": f"reader{user}", "command": "section",
                    "options": [{"name": "section", "value": str(rng.randint(1, SECTIONS))}]})
    return out


def slash_answer_chars() -> int:
    """About how long articlebot's first message answering `/section N` is (the bare bot answers as much):
    the section's heading and text, up to Discord's message limit."""
    article = parse_article(DEMO.read_bytes(), filename=DEMO.name)
    sizes = [min(MESSAGE_LIMIT, len(s.heading) + sum(len(p) + 2 for p in s.paragraphs) + 40)
             for s in article.sections[:SECTIONS]]
    return int(sum(sizes) / len(sizes))


def workload(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """The Telegram benchmark's messages, with `!` for `/`: users live in one channel each."""
    return [{"channel_id": channel, "author_id": user, "content": text, "username": f"reader{user}"}
            for channel, user, text in mixed_commands(n, CHANNELS, "!", seed)]


async def start_fake(log: Path) -> tuple[asyncio.subprocess.Process, str, str]:
    with log.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "tests.fakes.discord_server", "--port", "0", "--token", TOKEN,
            "--channels", str(len(SLASH_CHANNELS)), cwd=str(ROOT), env=child_env(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=err)
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        urls = json.loads(line)
        url, ws_url = str(urls["url"]), str(urls["ws_url"])
    except (TimeoutError, ValueError, KeyError, TypeError):
        await stop_process(proc)
        raise RuntimeError("the fake Discord did not print its URLs within 20 s") from None
    if not url.startswith("http://127.0.0.1:") or not ws_url.startswith("ws://127.0.0.1:"):
        await stop_process(proc)
        raise RuntimeError(f"the fake Discord printed {url!r} / {ws_url!r}, not loopback URLs")
    return proc, url, ws_url


async def start_bot(kind: str, mode: str, url: str, ws_url: str, work: Path, log: Path
                    ) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        if kind == "articlebot":
            env = child_env(DISCORD_BOT_TOKEN=TOKEN, DISCORD_API_URL=f"{url}/api/v10", DISCORD_GATEWAY_URL=f"{ws_url}/",
                            DISCORD_GUILD_IDS=str(GUILD), DATABASE_PATH=str(work / "articlebot.db"),
                            ADMIN_CACHE_SECONDS="60", LOG_LEVEL="INFO")
            args = ["-m", "articlebot", "run"]
        else:
            env = child_env()
            args = ["-m", "bench.bare_discord", "--api-url", f"{url}/api/v10", "--gateway-url", f"{ws_url}/",
                    "--token", TOKEN, "--answer-chars", str(ANSWER_CHARS[mode])]
            if kind == "bare":  # the same answers as articlebot's: its section answers carry these buttons
                args += ["--nav-buttons", str(SECTIONS)]
        return await asyncio.create_subprocess_exec(PYTHON, *args, cwd=str(work), env=env,
                                                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)


def _log_has(log: Path, mark: bytes) -> bool:
    return log.exists() and mark in log.read_bytes()


async def wait_ready(kind: str, bot: asyncio.subprocess.Process, log: Path) -> float:
    """Seconds until the bot's log shows its ready line (on_ready: the guild is in its cache)."""
    t = time.perf_counter()
    deadline = time.monotonic() + READY_LIMIT_S
    while time.monotonic() < deadline and bot.returncode is None:
        if _log_has(log, READY_MARK[kind]):
            return time.perf_counter() - t
        await asyncio.sleep(POLL_SECONDS)
    raise RuntimeError(f"{kind} did not get ready within {READY_LIMIT_S:.0f} s (exit {bot.returncode}); see {log}")


async def one_run(kind: str, mode: str, messages: list[dict[str, Any]], work: Path, limit_seconds: float,
                  ) -> RunStats:
    stats = RunStats(kind, mode, len(messages))
    fake, url, ws_url = await start_fake(work / f"fake-{kind}.log")
    bot: asyncio.subprocess.Process | None = None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            log = work / f"bot-{kind}.log"
            bot = await start_bot(kind, mode, url, ws_url, work, log)
            stats.startup_seconds = await wait_ready(kind, bot, log)
            cpu_start = (cpu_seconds(bot.pid), cpu_seconds(fake.pid))
            if mode == "slash":
                body = {"interactions": messages, "window": MODES[mode]}
                route = "dispatch_interactions"
            else:
                body = {"messages": messages, "window": MODES[mode]}
                route = "dispatch_messages"
            async with http.post(f"{url}/_control/{route}", json=body) as resp:
                resp.raise_for_status()
            counts: dict[str, Any] = {}
            deadline = time.monotonic() + limit_seconds
            while time.monotonic() < deadline and bot.returncode is None:
                await asyncio.sleep(POLL_SECONDS)
                async with http.get(f"{url}/_control/counts") as resp:
                    resp.raise_for_status()
                    counts = await resp.json()
                if counts["answered"] >= len(messages):
                    break
            stats.bot_cpu_seconds = _delta(cpu_start[0], cpu_seconds(bot.pid))
            stats.fake_cpu_seconds = _delta(cpu_start[1], cpu_seconds(fake.pid))
            stats.counts = counts
            stats.answered = int(counts.get("answered", 0))
            stats.failed_calls = int(counts.get("failed_calls", 0))
            first = counts.get("first_dispatch_at")
            if first is not None:
                if stats.answered < len(messages):
                    stats.timed_out = True
                    stats.seconds = time.monotonic() - first  # same clock as the fake's on Linux (CLOCK_MONOTONIC)
                else:
                    stats.seconds = counts["last_answer_at"] - first
    finally:
        if bot is not None:
            stats.bot_exit = await stop_process(bot)
        await stop_process(fake)
    if kind == "articlebot":
        stats.comments_stored = stored_comments(work / "articlebot.db")
    return stats


def stored_comments(db: Path) -> int | None:
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return int(conn.execute("SELECT count(*) FROM comments").fetchone()[0])
    except sqlite3.Error:
        return None


def _delta(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


async def _run(opts: Options, core_ms: float) -> Result:
    n = 300 if opts.quick else 2000
    limit = 60.0 if opts.quick else 240.0
    messages = workload(n)
    slashes = slash_workload(n)
    ANSWER_CHARS["slash"] = slash_answer_chars()
    runs: list[RunStats] = []
    with scratch("discord", opts) as work:
        for mode in MODES:
            for r in range(SLASH_ROUNDS if mode == "slash" else ROUNDS):
                for kind in KINDS[mode]:
                    run_dir = work / f"{mode}-{kind}-{r}"
                    run_dir.mkdir()
                    runs.append(await one_run(kind, mode, slashes if mode == "slash" else messages, run_dir,
                                              limit))
    comments = sum(1 for m in messages if m["content"].startswith("!comment"))
    result = Result(details={"events": n, "runs_each": ROUNDS, "slash_runs_each": SLASH_ROUNDS,
                             "channels": len(CHANNELS), "users": USERS,
                             "comments_in_workload": comments, "window": WINDOW, "core_cpu_ms_per_event": core_ms,
                             "runs": [asdict(s) | {"rate": s.rate} for s in runs]})
    label = {"articlebot": "articlebot", "bare": "bare discord.py", "bare-text": "bare discord.py, text only"}
    for mode in MODES:
        best = {kind: max((s for s in runs if s.kind == kind and s.mode == mode), key=lambda s: s.rate)
                for kind in KINDS[mode]}
        headline = mode in ("window", "slash")
        tag = {"window": f"window {WINDOW}", "burst": f"burst of {n}",
               "slash": f"slash commands, window {WINDOW}"}[mode]
        for kind in KINDS[mode]:
            s = best[kind]
            note = "" if not s.timed_out else f" (timeout: {s.answered}/{s.events})"
            result.add(Row(NAME, f"{label[kind]} events/s ({tag})", s.rate, fmt(s.rate) + note))
        for kind in KINDS[mode]:
            s = best[kind]
            if s.bot_cpu_seconds is not None and s.answered:
                ms = s.bot_cpu_seconds * 1000 / s.answered
                result.add(Row(NAME, f"{label[kind]} CPU ms/event ({tag})", ms, fmt(ms, 2)))
        ratio = best["articlebot"].rate / best["bare"].rate if best["bare"].rate else 0.0
        if headline:
            same = ", the same answer and buttons" if mode == "slash" else ""
            result.add(Row(NAME, f"ratio articlebot/bare ({tag}{same})", ratio, fmt(ratio, 2), f">= {TARGET_RATIO}",
                           ratio >= TARGET_RATIO))
            bare = best["bare"]
            bare_ms = bare.bot_cpu_seconds * 1000 / bare.answered if bare.bot_cpu_seconds and bare.answered else None
            best_possible = core_cost.ceiling(bare_ms, core_ms)
            # the ceiling assumes an adapter as costly as bare discord.py's: true of text messages (discord.py
            # builds the Message either way), not of slash commands, read from the raw payload
            if best_possible is not None and mode == "window":
                # even an adapter costing nothing beyond bare discord.py adds the core's own CPU per event
                result.add(Row(NAME, f"ratio ceiling with this core ({tag})", best_possible, fmt(best_possible, 2)))
        else:
            result.add(Row(NAME, f"ratio articlebot/bare ({tag})", ratio, fmt(ratio, 2)))
        if mode == "slash":
            medians = {kind: statistics.median(s.rate for s in runs if s.kind == kind and s.mode == mode)
                       for kind in KINDS[mode]}
            middle = medians["articlebot"] / medians["bare"] if medians["bare"] else 0.0
            result.add(Row(NAME, f"ratio of the median runs ({tag}, the same answer and buttons)", middle,
                           fmt(middle, 2)))
        if "bare-text" in best and best["bare-text"].rate:
            lighter = best["articlebot"].rate / best["bare-text"].rate
            result.add(Row(NAME, f"ratio articlebot/bare answering text only ({tag}, for information)",
                           lighter, fmt(lighter, 2)))
    return result


def run(opts: Options) -> Result:
    core_ms = core_cost.cpu_ms_per_event(opts)  # first: it runs its own event loop
    return asyncio.run(_run(opts, core_ms))
