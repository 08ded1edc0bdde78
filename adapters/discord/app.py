"""The Discord adapter's lifecycle: log in, sync slash commands, keep the gateway connected, stop cleanly.

discord.py resumes dropped gateway sessions itself; this adapter only steps in when the gateway refuses
the message content intent (it reconnects without it: slash commands keep working, `!` commands stop)
and when Discord ends the session for good (a bad token), which ends `wait_closed()`.
The token is read only to log in: it is never logged or put into a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp
import discord

from adapters.discord.client import ArticleClient, FleetLimit, ShardedArticleClient
from adapters.discord.endpoint import InteractionsEndpoint
from adapters.discord.internals import close_client, open_dm, point_at, post_command, put_commands
from adapters.discord.limits import ERROR_EXCERPT
from adapters.discord.send import TRANSIENT, announce_in_channel, edit_in_channel, passing
from adapters.discord.serve import Dispatcher
from adapters.discord.shards import IdentifyGate
from adapters.discord.slash import command_payloads
from articlebot.settings import Settings
from bot.core import Core
from bot.ports import Inbox, PlatformUnreachable
from bot.types import Chat, Reply, Sent

log = logging.getLogger("articlebot.discord")
AnyClient = ArticleClient | ShardedArticleClient

STOP_GRACE_SECONDS = 5.0
MARKS_SECONDS = 1.0  # how often where each channel was read to is saved (a restart re-reads at most this much)


class DiscordAdapter:
    name = "discord"

    def __init__(self, core: Core, settings: Settings, *, guild_ready_timeout: float = 2.0,
                 defer_after: float = 2.0, ready_timeout: float = 60.0, inbox: Inbox | None = None) -> None:
        """`guild_ready_timeout` and `defer_after` are shortened by tests; `ready_timeout` bounds how long
        `start()` waits for the gateway before returning (discord.py keeps connecting in the background)."""
        if settings.discord_bot_token is None:
            raise ValueError("DISCORD_BOT_TOKEN is not set")
        self.core = core
        self.settings = settings
        self.dispatcher = Dispatcher(core, prefix=settings.discord_command_prefix, defer_after=defer_after)
        self.client: AnyClient | None = None
        self.inbox = inbox  # IDENTIFY of shards is paced across the fleet through it, and read marks kept
        self.dispatcher.marks = inbox
        self._marking: asyncio.Task[None] | None = None
        self._guild_ready_timeout = guild_ready_timeout
        self._ready_timeout = ready_timeout
        self._ready = asyncio.Event()
        self._closed = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.endpoint: InteractionsEndpoint | None = None

    # ---- Adapter --------------------------------------------------------------------------------------

    async def start(self) -> None:
        point_at(self.settings.discord_api_url, self.settings.discord_gateway_url)
        client = self._new_client(message_content=True)
        if not await self._login(client):
            self._closed.set()
            return
        settings = self.settings
        if settings.discord_gateway:
            self._task = asyncio.create_task(self._serve(client), name="articlebot-discord-gateway")
            self._marking = asyncio.create_task(self._save_marks(), name="articlebot-discord-marks")
            await self._sync(client)
            await self._wait_ready()
        else:  # an interactions worker: HTTP in, REST out, no gateway (one process elsewhere holds it)
            self._ready.set()
            log.info("Discord: no gateway connection here (DISCORD_GATEWAY=false); interactions come over HTTP")
        if settings.discord_interactions_port is not None and settings.discord_public_key is not None:
            self.endpoint = InteractionsEndpoint(
                self.dispatcher.raw, self._usable_client, settings.discord_public_key,
                listen=settings.discord_interactions_listen, port=settings.discord_interactions_port)
            await self.endpoint.start()

    async def stop(self) -> None:
        if self._stopping:
            await self._closed.wait()
            return
        self._stopping = True
        try:
            if self.endpoint is not None:
                await self.endpoint.stop()  # no new interactions; those being answered finish below
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STOP_GRACE_SECONDS):
                    await self.dispatcher.idle()  # let answers being sent finish
            if self._marking is not None:
                self._marking.cancel()
                with contextlib.suppress(BaseException):
                    await self._marking
            await self.dispatcher.save_marks()
            if self.client is not None:
                with contextlib.suppress(Exception):
                    await close_client(self.client)
            if self._task is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    async with asyncio.timeout(10):
                        await self._task
        except asyncio.CancelledError:
            self._stopping = False  # a stop cut short is not a stop: the next call does it all again
            raise
        self._closed.set()

    def _usable_client(self) -> AnyClient | None:
        """The client, once it can send: connected to the gateway, or logged in when there is none here."""
        client = self.client
        if client is None or self._stopping:
            return None
        if self.settings.discord_gateway and not client.is_ready():
            return None
        return client

    def _connected_client(self) -> AnyClient:
        client = self._usable_client()
        if client is None:  # starting, reconnecting or stopping: a moment later it may send
            raise PlatformUnreachable("Discord is not connected")
        return client

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        client = self._connected_client()
        return await announce_in_channel(self.core, Chat(chat_key), client.http, reply)

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        user_id = user_key.partition(":")[2]
        if not user_id.isdigit():
            return None
        client = self._connected_client()
        try:
            channel = await open_dm(client.http, int(user_id))
        except (discord.HTTPException, *TRANSIENT) as err:
            if passing(err):
                raise PlatformUnreachable("opening a private channel") from err
            log.info("could not open a private channel with %s: HTTP %s", user_key, getattr(err, "status", "?"))
            return None
        return await announce_in_channel(self.core, Chat(f"discord:{channel['id']}", private=True), client.http,
                                         reply)

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        client = self._usable_client()
        if client is None:
            return False
        return await edit_in_channel(sent, client.http, reply)

    def start_link(self, user_key: str) -> str | None:
        return None  # Discord has no link that opens a bot's DMs; members allow them in their settings

    async def wait_closed(self) -> None:
        await self._closed.wait()

    # ---- connection -----------------------------------------------------------------------------------

    async def _save_marks(self) -> None:
        while True:
            await asyncio.sleep(MARKS_SECONDS)
            await self.dispatcher.save_marks()

    def _fleet_limit(self) -> FleetLimit | None:
        """Discord's global limit kept by every process on a shared PostgreSQL database together (one process
        alone keeps it with discord.py's own handling)."""
        inbox, settings = self.inbox, self.settings
        if inbox is None or settings.database_url is None:
            return None
        interval = 1.0 / settings.discord_requests_per_second
        return lambda: inbox.reserve("discord:global", interval, 1, time.time())

    def _new_client(self, *, message_content: bool) -> AnyClient:
        shards = self.settings.discord_shards
        if shards is None:
            self.client = ArticleClient(self.dispatcher, message_content=message_content,
                                        guild_ready_timeout=self._guild_ready_timeout, on_ready=self._on_ready,
                                        limit=self._fleet_limit())
        else:
            count, ids = shards
            self.client = ShardedArticleClient(
                self.dispatcher, message_content=message_content, guild_ready_timeout=self._guild_ready_timeout,
                on_ready=self._on_ready, shard_ids=ids, shard_count=count,
                gate=IdentifyGate(self.inbox) if self.inbox is not None else None, limit=self._fleet_limit())
        return self.client

    async def _login(self, client: AnyClient) -> bool:
        token = self.settings.discord_bot_token
        assert token is not None
        try:
            await client.login(token.get_secret_value())
            return True
        except discord.LoginFailure:
            log.error("Discord rejected DISCORD_BOT_TOKEN; the Discord adapter is not running.")
        except (discord.HTTPException, aiohttp.ClientError, OSError) as err:
            log.error("could not log in to Discord (%s); the Discord adapter is not running.", type(err).__name__)
        with contextlib.suppress(Exception):
            await close_client(client)
        return False

    async def _serve(self, client: AnyClient) -> None:
        try:
            while True:
                try:
                    await client.connect(reconnect=True)
                    return
                except discord.PrivilegedIntentsRequired:
                    if self._stopping or not client.intents.message_content:
                        raise
                    log.warning("Discord refused the message content intent (enable it under Bot → Privileged "
                                "Gateway Intents in the Developer Portal for %s text commands). Reconnecting "
                                "without it: slash commands still work fully.", self.settings.discord_command_prefix)
                    await close_client(client)
                    client = self._new_client(message_content=False)
                    if not await self._login(client):
                        return
        except Exception:
            if not self._stopping:
                log.exception("the Discord gateway connection ended for good")
        finally:
            with contextlib.suppress(Exception):
                await close_client(client)
            self._closed.set()

    def _on_ready(self, client: AnyClient) -> None:
        self._ready.set()
        guilds = len(client.guilds)
        if client.intents.message_content:
            log.info("Discord: ready in %d server(s); slash commands and %s text commands are available.",
                     guilds, self.settings.discord_command_prefix)
        else:
            log.warning("Discord: ready in %d server(s); %s text commands are NOT available (no message content "
                        "intent); slash commands work fully.", guilds, self.settings.discord_command_prefix)

    async def _wait_ready(self) -> None:
        waiters = {asyncio.ensure_future(self._ready.wait()), asyncio.ensure_future(self._closed.wait())}
        try:
            await asyncio.wait(waiters, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if not self._ready.is_set() and not self._closed.is_set():
            log.warning("Discord is not ready after %.0f s; still connecting in the background.", self._ready_timeout)

    async def _sync(self, client: AnyClient) -> None:
        """Slash commands from the command table: to each configured guild (instant), else globally."""
        app_id = client.application_id
        if app_id is None:
            log.error("Discord sent no application id; slash commands were not synced.")
            return
        payload = command_payloads()
        scopes: list[int | None] = list(self.settings.discord_guild_ids) or [None]
        for guild_id in scopes:
            where = f"guild {guild_id}" if guild_id is not None else "all servers (global; may take a while to show)"
            try:
                await put_commands(client.http, app_id, guild_id, payload)
            except discord.HTTPException as err:
                if err.status != 400:
                    log.error("could not sync slash commands to %s: HTTP %s %s", where, err.status,
                              err.text[:ERROR_EXCERPT])
                    continue
                # Discord refuses the whole list for one command it finds invalid: the rest go one at a time
                log.warning("Discord refused the slash command list for %s (%s); registering each command alone",
                            where, err.text.replace("\n", "; ")[:ERROR_EXCERPT])
                await self._sync_one_by_one(client, app_id, guild_id, payload, where)
            except Exception:
                log.exception("could not sync slash commands to %s", where)
            else:
                log.info("synced %d slash commands to %s", len(payload), where)

    async def _sync_one_by_one(self, client: AnyClient, app_id: int, guild_id: int | None,
                               payload: list[dict[str, Any]], where: str) -> None:
        synced = 0
        for command in payload:
            try:
                await post_command(client.http, app_id, guild_id, command)
                synced += 1
            except discord.HTTPException as err:
                log.error("Discord refused the /%s slash command for %s: HTTP %s %s", command.get("name"), where,
                          err.status, err.text.replace("\n", "; ")[:ERROR_EXCERPT])
        log.info("synced %d of %d slash commands to %s, one at a time", synced, len(payload), where)
