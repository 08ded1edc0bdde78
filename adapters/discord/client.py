"""The discord.py client: intents, no pings by default, persistent buttons, events to the dispatcher."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
import discord
import yarl

from adapters.discord.internals import SkippedEvents, guard_parsers
from adapters.discord.send import NO_PINGS
from adapters.discord.serve import Dispatcher
from adapters.metrics import metrics

log = logging.getLogger("articlebot.discord")


_TOKENS = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?]+")


def route_of(url: yarl.URL) -> str:
    """A request's path with interaction and webhook tokens (credentials) masked."""
    return _TOKENS.sub(r"\1***", url.path)


async def _on_request_end(session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
                          ) -> None:
    # discord.py retries 5xx answers by itself, silently: each is logged once here, with the route
    if params.response.status == 429:
        metrics().rate_limited("discord")
    elif params.response.status >= 500:
        log.warning("Discord answered HTTP %s to %s %s (discord.py retries it)", params.response.status,
                    params.method, route_of(params.url))


FleetLimit = Callable[[], Awaitable[float]]  # reserves a place under the fleet's limit: seconds to wait


def request_traces(limit: FleetLimit | None = None) -> aiohttp.TraceConfig:
    """Every REST request: 5xx and 429 answers counted and logged; and, given `limit`, each request but
    interaction answers (not under Discord's global limit) waits its place under the fleet's shared limit."""
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_on_request_end)
    if limit is not None:
        async def _on_request_start(session: aiohttp.ClientSession, context: Any,
                                    params: aiohttp.TraceRequestStartParams) -> None:
            path = params.url.path
            if "/interactions/" in path or "/webhooks/" in path or path.endswith("/gateway/bot"):
                return
            wait = await limit()
            if wait > 0:
                metrics().rate_limited("discord")
                await asyncio.sleep(wait)

        trace.on_request_start.append(_on_request_start)
    return trace


def intents(message_content: bool) -> discord.Intents:
    wanted = discord.Intents.default()
    wanted.message_content = message_content
    return wanted


class ArticleEvents:
    """What both clients (one connection, or several shards) do with the events discord.py hands them."""

    dispatcher: Dispatcher
    _ready_callback: Callable[[Any], None]
    _sessions: int
    guilds: Any

    def _wire(self, dispatcher: Dispatcher, on_ready: Callable[[Any], None]) -> None:
        client = cast(discord.Client, self)
        self.dispatcher = dispatcher
        self._ready_callback = on_ready
        self._sessions = 0
        self.skipped_events = SkippedEvents()
        guard_parsers(client, self.skipped_events,
                      take=lambda data: dispatcher.raw.take(client, data))

    async def on_ready(self) -> None:
        client = cast(discord.Client, self)
        self._sessions += 1
        if self._sessions > 1:  # a new session, not a resume: messages sent in the gap are not replayed
            await self.dispatcher.catch_up(client, self.guilds)
        else:  # this process's first: from where the last process stopped reading, if one did
            await self.dispatcher.resume_from_marks(client)
            self.dispatcher.note_channels(client)
        self._ready_callback(self)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        # a server that arrives after a new session (or comes back from an outage) is caught up on its own
        if self._sessions >= 1:
            await self.dispatcher.catch_up(cast(discord.Client, self), [guild])

    async def on_message(self, message: discord.Message) -> None:
        await self.dispatcher.on_message(cast(discord.Client, self), message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.dispatcher.on_reaction(cast(discord.Client, self), payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.dispatcher.on_reaction(cast(discord.Client, self), payload, added=False)


class ArticleClient(ArticleEvents, discord.Client):
    """One gateway connection for every server the bot is in."""

    def __init__(self, dispatcher: Dispatcher, *, message_content: bool, guild_ready_timeout: float,
                 on_ready: Callable[[Any], None], limit: FleetLimit | None = None) -> None:
        super().__init__(intents=intents(message_content), allowed_mentions=NO_PINGS,
                         guild_ready_timeout=guild_ready_timeout, http_trace=request_traces(limit))
        self._wire(dispatcher, on_ready)


IdentifyGate = Callable[[int], Awaitable[None]]


class ShardedArticleClient(ArticleEvents, discord.AutoShardedClient):
    """Some of the bot's shards (`shard_ids` of `shard_count`; every shard when `shard_ids` is None, and the
    count Discord recommends when `shard_count` is None); each IDENTIFY waits its turn at `gate`, which paces
    them across every process of the fleet."""

    def __init__(self, dispatcher: Dispatcher, *, message_content: bool, guild_ready_timeout: float,
                 on_ready: Callable[[Any], None], shard_ids: list[int] | None, shard_count: int | None,
                 gate: IdentifyGate | None, limit: FleetLimit | None = None) -> None:
        some: Any = {"shard_ids": shard_ids} if shard_ids is not None else {}
        super().__init__(intents=intents(message_content), allowed_mentions=NO_PINGS,
                         guild_ready_timeout=guild_ready_timeout, http_trace=request_traces(limit),
                         shard_count=shard_count, **some)
        self._gate = gate
        self._wire(dispatcher, on_ready)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if self._gate is None:
            await super().before_identify_hook(shard_id, initial=initial)
        else:
            await self._gate(shard_id or 0)
