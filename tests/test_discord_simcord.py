"""The Discord adapter's client against SimCord (PyPI; not written here), an in-process model of Discord's
REST API and gateway that runs discord.py's own parsers, cache and interaction lifecycle: a second Discord
implementation besides tests/fakes/, with its own idea of valid payloads and of acknowledging twice."""

from __future__ import annotations

from pathlib import Path

import simcord

from adapters.discord.client import ArticleClient
from adapters.discord.serve import Dispatcher
from adapters.discord.slash import command_payloads
from bot.core import Core
from bot.importer import parse_article
from bot.records import Status
from storage.sqlite import SqliteStore
from tests.discord_markdown import parse
from tests.support import DEMO, START


def read(content: str | None) -> str:
    """What a reader sees: the Markdown read back as Discord reads it."""
    return "".join(run.text for run in parse(content or ""))


async def test_slash_commands_and_text_commands_through_simcord(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "s.db")
    try:
        await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        core = Core(store, admin_cache_seconds=0)
        client = ArticleClient(Dispatcher(core, prefix="!", defer_after=2.0), message_content=True,
                               guild_ready_timeout=0.0, on_ready=lambda _: None)
        env = simcord.Env(client)
        guild = env.create_guild("Readers")
        channel = guild.create_text_channel("general")
        ann = guild.add_member(env.create_user("ann"))
        await env.start()
        try:
            assert client.application_id is not None
            # what DiscordAdapter's start does with the command table, against SimCord's validation
            await client.http.bulk_upsert_guild_commands(client.application_id, guild.id, command_payloads())
            shown = await ann.slash(channel, "sections")
            assert "Cost of Living" in read(shown.response.content)
            saved = await ann.slash(channel, "comment", text="cheap rent, *really*")
            assert "Saved as #1" in read(saved.response.content)
            await ann.send(channel, "!comments")
            assert "cheap rent, *really*" in read(channel.last_message.content)
        finally:
            await env.shutdown()
        comments = await store.comments(f"discord:{channel.id}", (await store.list_articles())[-1].id, None,
                                        tuple(Status), None, 10)
        assert [c.text for c in comments] == ["cheap rent, *really*"]
    finally:
        await store.close()
