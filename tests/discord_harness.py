"""The real DiscordAdapter (real discord.py, real Core on a real SQLite file) against the fake Discord."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from adapters.discord.app import DiscordAdapter
from articlebot.settings import Settings
from bot.core import Core
from bot.importer import parse_article
from bot.ports import Clock
from bot.records import Article, Comment, Status
from storage.sqlite import SqliteStore
from tests.fakes.discord_rest import Call
from tests.fakes.discord_server import FakeDiscord
from tests.support import DEMO, START

JSON = dict[str, Any]

GUILD, GENERAL, READING = 2000, 3001, 3002
SECOND_GUILD, SECOND_CHANNEL = 1 << 22, 3101  # on shard 1 of 2 ((id >> 22) % 2); GUILD is on shard 0
BOT, PLAIN, MOD, ADMIN = 1000, 5001, 5002, 5003
EPHEMERAL = 64
ALL_STATUSES = tuple(Status)


@dataclass
class World:
    fake: FakeDiscord
    core: Core
    store: SqliteStore
    adapter: DiscordAdapter

    # ---- driving ---------------------------------------------------------------------------------------

    async def slash(self, name: str, options: Sequence[JSON] = (), user: int = PLAIN, channel: int = GENERAL,
                    *, guild_id: int | None = GUILD) -> list[Call]:
        """Invokes a slash command and returns every REST call its handling made (once the adapter is idle)."""
        payload = self.fake.slash_interaction(name, options, user, channel, guild_id=guild_id)
        return await self.interact(payload)

    async def interact(self, payload: JSON) -> list[Call]:
        mark = len(self.fake.calls)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        await self.fake.wait_for(lambda c: f"/interactions/{payload['id']}/" in c.path)
        await self.adapter.dispatcher.idle()
        token = payload["token"]
        return [c for c in self.fake.calls[mark:] if f"/{payload['id']}/" in c.path or f"/{token}" in c.path]

    async def press(self, custom_id: str, message_id: int, user: int = PLAIN, channel: int = GENERAL) -> list[Call]:
        return await self.interact(self.fake.component_interaction(custom_id, user, channel, message_id))

    async def say(self, content: str, user: int = PLAIN, channel: int = GENERAL, **kwargs: Any) -> list[Call]:
        """A MESSAGE_CREATE; returns the messages the bot posted in answer (waits for the first one)."""
        payload = self.fake.message_create(channel, user, content, **kwargs)
        return await self.deliver(payload)

    async def deliver(self, payload: JSON) -> list[Call]:
        mark = len(self.fake.calls)
        earlier = {id(c) for c in self.fake.calls}
        await self.fake.dispatch("MESSAGE_CREATE", payload)
        await self.fake.wait_for(lambda c: id(c) not in earlier and replies_to(c, payload["id"]))
        await self.adapter.dispatcher.idle()
        channel = payload["channel_id"]
        return [c for c in self.fake.calls[mark:] if c.method == "POST" and c.path == f"/channels/{channel}/messages"]

    # ---- reading the world -----------------------------------------------------------------------------

    async def article(self) -> Article:
        items = await self.store.list_articles()
        article = await self.store.get_article(items[0].id)
        assert article is not None
        return article

    async def comments(self, channel: int = GENERAL, section_key: str | None = None) -> list[Comment]:
        article = await self.article()
        return await self.store.comments(f"discord:{channel}", article.id, section_key, ALL_STATUSES, None, 100)

    def original(self, payload_or_calls: JSON | list[Call]) -> int:
        """The id of the message an interaction answered with."""
        if isinstance(payload_or_calls, list):
            callback = next(c for c in payload_or_calls if c.path.endswith("/callback"))
            return int(callback.response["resource"]["message"]["id"])
        message_id = self.fake.interaction(payload_or_calls).original_message_id
        assert message_id is not None
        return message_id


def replies_to(call: Call, message_id: str) -> bool:
    body = call.json_body if isinstance(call.json_body, dict) else {}
    reference = body.get("message_reference") or {}
    return call.method == "POST" and str(reference.get("message_id")) == str(message_id)


# ---- what the adapter sent --------------------------------------------------------------------------


def message_bodies(calls: Sequence[Call]) -> list[JSON]:
    """The message bodies among `calls`: interaction responses, followups, original edits, channel posts."""
    bodies: list[JSON] = []
    for call in calls:
        body = call.json_body if isinstance(call.json_body, dict) else None
        if body is None or call.status >= 400:
            continue
        if call.path.endswith("/callback"):
            if body.get("type") in (4, 7):
                bodies.append(body.get("data") or {})
        elif call.method in ("POST", "PATCH") and ("/webhooks/" in call.path or call.path.endswith("/messages")):
            bodies.append(body)
    return bodies


def texts(calls: Sequence[Call]) -> list[str]:
    return [str(b.get("content") or "") for b in message_bodies(calls)]


def text(calls: Sequence[Call]) -> str:
    return "\n".join(texts(calls))


def plain(calls: Sequence[Call]) -> str:
    """What a reader sees: emphasis markers dropped, backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*+", "", text(calls)))


def flags(calls: Sequence[Call]) -> list[int]:
    return [int(b.get("flags") or 0) for b in message_bodies(calls)]


def buttons(calls: Sequence[Call]) -> list[JSON]:
    return [button for body in message_bodies(calls) for row in body.get("components") or []
            for button in row.get("components") or []]


def button(calls: Sequence[Call], label: str) -> str:
    return next(str(b["custom_id"]) for b in buttons(calls) if b.get("label") == label)


def with_attachment(fake: FakeDiscord, payload: JSON, option: str, filename: str, content: bytes) -> JSON:
    """Adds an uploaded file to a slash payload's attachment option (the fake resolves users, not files)."""
    attachment = fake.state.attachment_payload(int(payload["channel_id"]), filename, content)
    data = payload["data"]
    for item in data["options"]:
        if item["name"] == option:
            item.update(type=11, value=attachment["id"])
    data.setdefault("resolved", {}).setdefault("attachments", {})[attachment["id"]] = attachment
    return payload


def add_second_guild(fake: FakeDiscord) -> None:
    """A second server (on the other shard of two), with a channel, where PLAIN is a member."""
    fake.state.add_guild(SECOND_GUILD, "Second", owner_id=PLAIN)
    fake.state.add_channel(SECOND_CHANNEL, "general", guild_id=SECOND_GUILD)
    fake.state.add_member(PLAIN, guild_id=SECOND_GUILD)


# ---- the world --------------------------------------------------------------------------------------


def settings_for(fake: FakeDiscord, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_bot_token": fake.token,
        "discord_api_url": f"{fake.url}/api/v10",
        "discord_gateway_url": f"{fake.ws_url}/",
        "discord_guild_ids": (GUILD,),
        "discord_command_prefix": "!",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def new_adapter(core: Core, settings: Settings, *, defer_after: float = 2.0) -> DiscordAdapter:
    return DiscordAdapter(core, settings, guild_ready_timeout=0.05, defer_after=defer_after)


@asynccontextmanager
async def discord_world(tmp_path: Path, *, defer_after: float = 2.0, owners: frozenset[str] = frozenset(),
                        fake_options: dict[str, Any] | None = None,
                        settings: Callable[[FakeDiscord], Settings] = settings_for,
                        clock: Clock | None = None) -> AsyncIterator[World]:
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    store = await SqliteStore.open(tmp_path / "d.db")
    try:
        await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        core = Core(store, owners=owners, admin_cache_seconds=0, clock=clock)
        async with FakeDiscord(**(fake_options or {})) as fake:
            world = World(fake, core, store, new_adapter(core, settings(fake), defer_after=defer_after))
            try:
                await world.adapter.start()
                yield world
            finally:
                await world.adapter.stop()
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
        await store.close()
