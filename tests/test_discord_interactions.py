"""Interactions that cannot be served as asked still get one clear answer: one without a channel is refused
(nothing is stored under a made-up chat), and one whose handling fails unexpectedly gets one apology,
logged once, through the one place that catches it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from adapters.discord.events import NoChannel
from bot.core import APOLOGY
from tests.discord_harness import ALL_STATUSES, EPHEMERAL, GENERAL, PLAIN, World, discord_world, flags, plain
from tests.test_discord_reliability import captured


async def test_an_interaction_without_a_channel_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        payload = world.fake.slash_interaction("comment", [{"name": "text", "value": "lost words"}])
        del payload["channel_id"], payload["channel"]
        calls = await world.interact(payload)
        assert plain(calls) == str(NoChannel()) and flags(calls) == [EPHEMERAL]
        article = await world.article()
        for made_up in ("discord:0", "discord:None"):
            assert await world.store.comments(made_up, article.id, None, ALL_STATUSES, None, 10) == []
        assert all(c.text != "lost words" for c in await world.comments())


async def test_a_channel_id_without_a_channel_object_files_under_that_channel(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        payload = world.fake.slash_interaction("comment", [{"name": "text", "value": "kept words"}])
        del payload["channel"]
        assert "Saved as #1" in plain(await world.interact(payload))
        assert [c.text for c in await world.comments()] == ["kept words"]


async def test_an_unexpected_failure_is_answered_once_and_logged_once(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        payload = world.fake.slash_interaction("sections")
        payload["data"] = ["not", "an", "object"]  # discord.py passes it through; reading it fails
        with captured(logging.ERROR) as logs:
            calls = await world.interact(payload)
        answers = [c for c in calls if c.path.endswith("/callback")]
        assert len(answers) == 1 and plain(answers) == APOLOGY and flags(answers) == [EPHEMERAL]
        failures = [r for r in logs.records if "failed to handle a Discord slash command" in r.getMessage()]
        assert len(failures) == 1 and failures[0].exc_info is not None
        assert "Cost of Living" in plain(await world.slash("sections"))


async def shown_section(world: World) -> int:
    calls = await world.say("!section 2")
    shown = int(calls[-1].response["id"])
    for _ in range(100):
        if await world.store.anchor(f"discord:{GENERAL}", str(shown)) is not None:
            return shown
        await asyncio.sleep(0.02)
    raise TimeoutError("the section message was never anchored")


async def test_a_crosspost_referencing_the_bots_message_id_is_not_a_reply(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        shown = await shown_section(world)
        crosspost = world.fake.message_create(GENERAL, PLAIN, "announcement text", referenced_message=shown)
        crosspost.pop("referenced_message", None)
        crosspost["message_reference"] = {"type": 0, "channel_id": "9001", "guild_id": "9000", "message_id": str(shown)}
        crosspost["flags"] = 2
        await world.fake.dispatch("MESSAGE_CREATE", crosspost)
        assert "Cost of Living" in plain(await world.slash("sections"))  # handled after the crosspost
        await world.adapter.dispatcher.idle()
        assert await world.comments() == []


async def test_an_unresolved_reply_to_the_bot_in_the_same_channel_still_comments(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        shown = await shown_section(world)
        reply = world.fake.message_create(GENERAL, PLAIN, "cheap rent", referenced_message=shown)
        reply.pop("referenced_message", None)  # Discord did not resolve it
        reply["type"] = 19
        assert "Saved as #1" in plain(await world.deliver(reply))
