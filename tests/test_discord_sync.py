"""Slash-command sync when Discord refuses one command: the bulk overwrite fails as a whole (as Discord's
does), the adapter registers the commands one at a time, and the log names the one refused and why."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord

from bot.core import Core
from bot.importer import parse_article
from storage.sqlite import SqliteStore
from tests.discord_harness import GUILD, new_adapter, settings_for
from tests.fakes.discord_server import FakeDiscord
from tests.support import DEMO, START
from tests.test_discord_reliability import captured


def refuse_autocomplete(body: dict[str, Any]) -> str | None:
    if any(o.get("autocomplete") for o in body.get("options", [])):
        return "Autocomplete is not supported by this server"
    return None


async def test_a_refused_command_leaves_the_others_registered(tmp_path: Path) -> None:
    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    store = await SqliteStore.open(tmp_path / "d.db")
    try:
        await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        async with FakeDiscord() as fake:
            fake.rest.refuse_command = refuse_autocomplete
            adapter = new_adapter(Core(store), settings_for(fake))
            with captured(logging.INFO) as logs:
                await adapter.start()
                await adapter.stop()
            names = {c["name"] for c in fake.state.commands(GUILD)}
            refused = {s["name"] for s in adapter_payloads() if refuse_autocomplete(s)}
            assert refused and "section" in refused  # /section autocompletes its heading
            assert names == {s["name"] for s in adapter_payloads()} - refused
            lines = [r.getMessage() for r in logs.records if r.name == "articlebot.discord"]
            for name in refused:
                assert any(f"refused the /{name} slash command" in line and "Autocomplete is not supported" in line
                           for line in lines), name
            assert any(f"synced {len(names)} of {len(adapter_payloads())} slash commands" in line for line in lines)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        await store.close()


def adapter_payloads() -> list[dict[str, Any]]:
    from adapters.discord.slash import command_payloads

    return command_payloads()
