"""Discord shards split over processes: each process runs some of the bot's shards (DISCORD_SHARD_COUNT,
DISCORD_SHARD_IDS) on one database; a server's events reach only the process holding its shard; and the
shards' IDENTIFYs are paced through the database, so the fake gateway, which refuses a second IDENTIFY in the
same five seconds as Discord does, never has to."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord as discord_lib
import pytest
from pydantic import ValidationError

from adapters.discord.app import DiscordAdapter
from articlebot.settings import Settings, parse_shard_ids
from bot.core import Core
from bot.importer import parse_article
from storage.open import open_store
from tests.discord_harness import (
    GENERAL,
    PLAIN,
    SECOND_CHANNEL,
    SECOND_GUILD,
    add_second_guild,
    plain,
    settings_for,
)
from tests.fakes.discord_server import FakeDiscord
from tests.support import DEMO, START
from tests.test_discord_process import interact


def test_shard_settings_are_read_and_checked() -> None:
    assert parse_shard_ids("0-3") == [0, 1, 2, 3] and parse_shard_ids("4, 5") == [4, 5]
    assert parse_shard_ids("0-1,6") == [0, 1, 6] and parse_shard_ids("") is None
    shards = Settings(_env_file=None, discord_shard_count="8", discord_shard_ids="4-5")  # type: ignore[call-arg]
    assert shards.discord_shards == (8, [4, 5])
    assert Settings(_env_file=None, discord_shard_count="auto").discord_shards == (None, None)  # type: ignore[call-arg]
    assert Settings(_env_file=None).discord_shards is None  # type: ignore[call-arg]
    for count, ids in (("2", "0-2"), ("auto", "0"), ("", "1"), ("zero", ""), ("2", "a")):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, discord_shard_count=count, discord_shard_ids=ids)  # type: ignore[call-arg]


async def test_two_processes_each_serve_their_shards_and_identify_in_turn(tmp_path: Path) -> None:
    old_base, old_gateway = discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    stores = [await open_store(tmp_path / "fleet.db"), await open_store(tmp_path / "fleet.db")]
    adapters: list[DiscordAdapter] = []
    try:
        await stores[0].save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        async with FakeDiscord() as fake:
            add_second_guild(fake)
            for shard, store in enumerate(stores):
                settings = settings_for(fake, discord_shard_count="2", discord_shard_ids=str(shard),
                                        discord_guild_ids=())
                adapters.append(DiscordAdapter(Core(store, admin_cache_seconds=0), settings,
                                               guild_ready_timeout=0.05, inbox=store))
            await asyncio.gather(*(adapter.start() for adapter in adapters))  # both at once
            identified = [c for c in fake.gateway.connections if c.session is not None]
            assert sorted(c.session.shard for c in identified if c.session) == [(0, 2), (1, 2)]
            assert fake.gateway.identify_rejections == 0  # the second waited its turn
            at = sorted(fake.gateway.identified_at.values())
            assert len(at) == 1  # one bucket (max_concurrency 1), used twice five seconds apart
            for guild, channel, shard in ((2000, GENERAL, 0), (SECOND_GUILD, SECOND_CHANNEL, 1)):
                payload = fake.slash_interaction("sections", [], PLAIN, channel, guild_id=guild)
                assert "Cost of Living" in plain(await interact(fake, payload))
                holders = [c for c in identified if any(p.get("t") == "INTERACTION_CREATE"
                                                        and p["d"]["id"] == payload["id"] for p in c.sent)]
                assert [c.session.shard for c in holders if c.session] == [(shard, 2)]  # only its shard's
    finally:
        for adapter in adapters:
            await adapter.stop()
        discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        for store in stores:
            await store.close()


async def test_a_shard_process_killed_and_restarted_misses_no_message(tmp_path: Path) -> None:
    from tests.discord_harness import replies_to
    from tests.telegram_process import BotProcess, stored_texts
    from tests.test_discord_process import TOKEN, discord_env
    from tests.test_telegram_process import wait_until

    async with FakeDiscord(token=TOKEN) as fake:
        add_second_guild(fake)
        db = tmp_path / "shards.db"

        def shard_process(shard: int, log: str) -> BotProcess:
            env = {**discord_env(fake, db), "DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": str(shard)}
            return BotProcess(env, tmp_path / log)

        def shards_up() -> bool:
            return sorted(s.shard for s in fake.gateway.sessions if s.connection is not None
                          and s.shard is not None) == [(0, 2), (1, 2)]

        async def answered(payload: dict[str, object]) -> None:
            await wait_until(lambda: any(replies_to(c, str(payload["id"])) and c.status == 200
                                         for c in fake.calls), 60)

        first, second = shard_process(0, "shard0.log"), shard_process(1, "shard1.log")
        await first.start()
        await second.start()
        restarted: BotProcess | None = None
        try:
            await wait_until(shards_up, 60)
            before = fake.message_create(SECOND_CHANNEL, PLAIN, "!comment before the kill")
            await fake.dispatch("MESSAGE_CREATE", before)
            await answered(before)
            await asyncio.sleep(1.5)  # where the channel was read to is saved every second
            await second.kill()  # SIGKILL: no goodbye, no last save
            missed = fake.message_create(SECOND_CHANNEL, PLAIN, "!comment while its shard was down")
            assert await fake.dispatch("MESSAGE_CREATE", missed) >= 0  # Discord delivers it to nobody alive
            here = fake.message_create(GENERAL, PLAIN, "!comment the other shard carries on")
            await fake.dispatch("MESSAGE_CREATE", here)
            await answered(here)
            restarted = shard_process(1, "shard1-again.log")
            await restarted.start()
            await answered(missed)  # read back from where the killed process had got to
            assert stored_texts(db, f"discord:{SECOND_CHANNEL}") == ["before the kill", "while its shard was down"]
            assert stored_texts(db, f"discord:{GENERAL}") == ["the other shard carries on"]
            assert sum(1 for c in fake.calls if replies_to(c, str(missed["id"])) and c.status == 200) == 1
        finally:
            codes = [await first.terminate()]
            if restarted is not None:
                codes.append(await restarted.terminate())
        assert codes == [0] * len(codes)
