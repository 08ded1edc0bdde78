"""Telegram's and Discord's limits kept by a whole fleet on one PostgreSQL database, measured where the
platform would measure them, at the fake servers: three Telegram webhook workers never send faster than the
bot's limit together, nor faster than a group's; two Discord processes (a shard each) never exceed the global
limit together. The limits are scaled down so the tests take seconds."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord as discord_lib

from adapters.discord.app import DiscordAdapter
from bot.core import Core
from bot.importer import parse_article
from storage.open import open_store
from tests.discord_harness import GENERAL, PLAIN, SECOND_CHANNEL, add_second_guild, settings_for
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.pg_cluster import free_port
from tests.support import DEMO, START
from tests.telegram_process import bot_env
from tests.test_telegram_process import TOKEN, wait_until

SECRET = "fleet-limits-secret-value"


def most_in_a_second(times: Sequence[float]) -> int:
    ordered = sorted(times)
    return max((sum(1 for t in ordered[i:] if t - start < 1.0) for i, start in enumerate(ordered)), default=0)


async def webhook_workers(fake: FakeTelegram, pg_url: str, tmp_path: Path, **limits: str
                          ) -> list[tuple[asyncio.subprocess.Process, str]]:
    env = bot_env(fake.url, TOKEN, pg_url, TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_RATE_LIMIT="on", **limits)
    workers = []
    for i in range(3):
        port = free_port()
        log = tmp_path / f"worker{i}.log"
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "articlebot", "run", "--webhook-url", f"https://127.0.0.1:8443/w{i}",
                "--listen", "127.0.0.1", "--port", str(port), cwd=str(tmp_path), env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        workers.append((proc, f"http://127.0.0.1:{port}/w{i}"))
        await wait_until(lambda log=log: log.exists() and "receiving updates by webhook" in log.read_text(), 60)
    return workers


async def stop(workers: list[tuple[asyncio.subprocess.Process, str]]) -> None:
    for proc, _url in workers:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _url in workers:
        await asyncio.wait_for(proc.wait(), 30)


async def send(workers: list[tuple[asyncio.subprocess.Process, str]], updates: list[dict[str, object]]) -> None:
    async with aiohttp.ClientSession() as session:
        async def post(i: int, update: dict[str, object]) -> None:
            async with session.post(workers[i % 3][1], json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                assert resp.status == 200

        await asyncio.gather(*(post(i, u) for i, u in enumerate(updates)))


async def test_three_telegram_workers_keep_the_bots_limit_together(pg_url: str, tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        workers = await webhook_workers(fake, pg_url, tmp_path, TELEGRAM_MESSAGES_PER_SECOND="10",
                                        TELEGRAM_GROUP_MESSAGES_PER_MINUTE="6000")
        try:
            groups = (-2001, -2002, -2003, -2004)
            updates = [fake.message_update(groups[i % 4], 300 + i, f"/comment at once {i}") for i in range(40)]
            for i, update in enumerate(updates):
                update["update_id"] = 5000 + i
            await send(workers, updates)  # all at once, spread over the three workers
            await wait_until(lambda: len([c for c in fake.calls_of("sendMessage") if c.ok]) >= 40, 60)
        finally:
            await stop(workers)
        times = [c.at for c in fake.calls_of("sendMessage") if c.ok]
        print(f"Telegram, three workers: at most {most_in_a_second(times)} messages in any second (limit 10)")
        assert len(times) == 40
        assert most_in_a_second(times) <= 11  # ten a second, and the one that opens the next second
        assert max(times) - min(times) >= 3.5  # forty at ten a second: about four seconds, whoever sent them


async def test_three_telegram_workers_keep_a_groups_limit_together(pg_url: str, tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        workers = await webhook_workers(fake, pg_url, tmp_path, TELEGRAM_MESSAGES_PER_SECOND="1000",
                                        TELEGRAM_GROUP_MESSAGES_PER_MINUTE="120")
        try:
            updates = [fake.message_update(-3001, 400 + i, f"/comment busy group {i}") for i in range(8)]
            for i, update in enumerate(updates):
                update["update_id"] = 6000 + i
            await send(workers, updates)
            await wait_until(lambda: len([c for c in fake.sent_messages(-3001)]) >= 8, 60)
        finally:
            await stop(workers)
        times = sorted(c.at for c in fake.sent_messages(-3001))
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        print(f"Telegram, one group, three workers: at most {most_in_a_second(times)} messages in any second,"
              f" {60 / min(gaps):.0f} a minute at the closest (limit 120)")
        assert len(times) == 8 and min(gaps) >= 0.4  # two a second in that group (120 a minute), fleet-wide


async def test_two_discord_processes_keep_the_global_limit_together(pg_url: str, tmp_path: Path) -> None:
    old_base, old_gateway = discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    stores = [await open_store(pg_url), await open_store(pg_url)]
    adapters: list[DiscordAdapter] = []
    try:
        await stores[0].save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        async with FakeDiscord() as fake:
            add_second_guild(fake)
            for shard, store in enumerate(stores):
                settings = settings_for(fake, discord_shard_count="2", discord_shard_ids=str(shard),
                                        discord_guild_ids=(), discord_requests_per_second=10.0,
                                        database_url=pg_url)
                adapters.append(DiscordAdapter(Core(store, admin_cache_seconds=0), settings,
                                               guild_ready_timeout=0.05, inbox=store))
            for adapter in adapters:
                await adapter.start()
            mark = len(fake.calls)
            for i in range(24):  # text commands in both servers: each answered by a channel message
                channel = GENERAL if i % 2 == 0 else SECOND_CHANNEL
                await fake.dispatch("MESSAGE_CREATE", fake.message_create(channel, PLAIN, f"!comment load {i}"))
            posts = lambda: [c for c in fake.calls[mark:]  # noqa: E731
                             if c.method == "POST" and c.path.endswith("/messages") and c.status == 200]
            await wait_until(lambda: len(posts()) >= 24, 60)
            times = [c.at for c in fake.calls[mark:] if "/interactions/" not in c.path]
            print(f"Discord, two processes: at most {most_in_a_second(times)} requests in any second (limit 10)")
            assert most_in_a_second(times) <= 11 and max(times) - min(times) >= 2.0
    finally:
        for adapter in adapters:
            await adapter.stop()
        discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        for store in stores:
            await store.close()
