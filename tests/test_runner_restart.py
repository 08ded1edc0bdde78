"""`articlebot run` keeps its adapters serving: a Discord connection that ends for good (close code 4004,
which discord.py never resumes) gets a fresh adapter, and the bot answers again on its own; an adapter
that keeps failing ends the process with a non-zero status and says why, for the supervisor to act on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from tests.discord_harness import plain
from tests.fakes.discord_server import FakeDiscord
from tests.pg_cluster import free_port
from tests.telegram_process import BotProcess
from tests.test_discord_process import TOKEN, discord_env, interact

AUTHENTICATION_FAILED = 4004


async def until(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 20)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(what)


async def health(port: int, *, settle: float = 10.0) -> tuple[int, dict[str, Any]]:
    """The health report, once it says healthy (or whatever it says after `settle` seconds)."""
    deadline = asyncio.get_running_loop().time() + settle
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                status, report = response.status, await response.json()
            if status == 200 or asyncio.get_running_loop().time() > deadline:
                return status, report
            await asyncio.sleep(0.1)


def identified(fake: FakeDiscord) -> int:
    return sum(1 for c in fake.gateway.connections if c.session is not None)


async def test_a_discord_adapter_that_ends_for_good_comes_back(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        port = free_port()
        env = {**discord_env(fake, tmp_path / "d.db"), "ADAPTER_RESTART_DELAY_SECONDS": "0.2",
               "HEALTH_PORT": str(port)}
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()
        try:
            await fake.wait_ready(timeout=60)
            await until(lambda: identified(fake) == 1, 30, "first IDENTIFY")
            await asyncio.sleep(0.5)
            assert "Cost of Living" in plain(await interact(fake, fake.slash_interaction("sections")))
            status, report = await health(port)
            assert status == 200, report
            assert report["adapters"]["discord"] == {"state": "serving", "restarts": 0,
                                                                       "recent_failures": 0}
            await fake.drop_connection(AUTHENTICATION_FAILED)
            await until(lambda: identified(fake) == 2, 60, "a fresh adapter's IDENTIFY")
            await asyncio.sleep(1.0)  # discord.py's guild_ready_timeout before on_ready
            assert "Cost of Living" in plain(await interact(fake, fake.slash_interaction("sections")))
            assert bot.proc is not None and bot.proc.returncode is None
            status, report = await health(port)
            assert status == 200 and report["adapters"]["discord"]["restarts"] == 1
        finally:
            code = await bot.terminate()
        assert code == 0
        log = (tmp_path / "bot.log").read_text()
        assert "the discord adapter stopped on its own" in log and "serving again (restart 1)" in log
        assert TOKEN not in log and "Task exception was never retrieved" not in log


async def test_an_adapter_that_keeps_failing_ends_the_process_non_zero(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        env = {**discord_env(fake, tmp_path / "d.db"), "ADAPTER_RESTART_DELAY_SECONDS": "0.1",
               "ADAPTER_RESTART_LIMIT": "3", "ADAPTER_RESTART_WINDOW_SECONDS": "120"}
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()
        assert bot.proc is not None
        try:
            dropped = 0
            while bot.proc.returncode is None and dropped < 10:
                try:
                    await until(lambda n=dropped: identified(fake) > n or bot.proc.returncode is not None,  # type: ignore[union-attr]
                                60, "IDENTIFY")
                except TimeoutError:
                    break
                if bot.proc.returncode is not None:
                    break
                await fake.drop_connection(AUTHENTICATION_FAILED)
                dropped += 1
            code = await asyncio.wait_for(bot.proc.wait(), 60)
        finally:
            await bot.terminate()
        assert code == 1
        assert dropped == 3  # the first run and two restarts, each ended; the third failure gives up
        log = (tmp_path / "bot.log").read_text()
        assert "the discord adapter failed 3 times within 120 seconds; giving up" in log
