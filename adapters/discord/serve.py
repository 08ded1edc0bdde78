"""Each incoming message, slash command, autocomplete and button press: to the core and back, never fatal.

Interactions must be acknowledged within 3 seconds: the core call starts at once, and if it has not
finished after `defer_after` (2 s) the interaction is deferred ("thinking…"), ephemerally for admin
commands and approve/reject presses (their answers are private), publicly for everything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any, Protocol

import discord

from adapters.discord.events import (
    Unreadable,
    chat_of,
    message_event,
)
from adapters.discord.interactions import RawInteractions
from adapters.discord.platform import DiscordPlatform
from adapters.discord.send import TRANSIENT, ChannelSender
from bot.core import Core
from bot.ports import Inbox
from bot.types import Event, Outcome, Reaction, User

CATCH_UP = 200  # messages per channel read back after a new session
LIKE_EMOJI = "👍"  # the reaction that likes a comment (another emoji is just a reaction)
log = logging.getLogger("articlebot.discord")




class Deferrable(Protocol):
    async def defer(self, private: bool) -> None: ...


class Dispatcher:
    def __init__(self, core: Core, *, prefix: str, defer_after: float = 2.0) -> None:
        self.core = core
        self.raw = RawInteractions(self)
        self.prefix = prefix
        self.defer_after = defer_after
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.last_seen: dict[int, int] = {}  # channel id -> newest message id seen, for catching up
        self.marks: Inbox | None = None  # where last_seen is kept across restarts (the adapter sets it)
        self._unsaved: set[int] = set()
        self.caught_up = asyncio.Event()  # set after each catch-up following a new session

    # ---- bookkeeping: how many events are being handled (stop() lets them finish) --------------------

    def begin(self) -> None:
        self._busy += 1
        self._idle.clear()

    def end(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    @contextlib.asynccontextmanager
    async def _handling(self, what: str) -> AsyncIterator[None]:
        self.begin()
        try:
            yield
        except Unreadable as err:
            log.info("skipped a Discord %s that could not be read (%s)", what, type(err).__name__)
        except Exception:
            log.exception("failed to handle a Discord %s", what)
        finally:
            self.end()

    async def idle(self) -> None:
        """Returns once no event is being handled."""
        await self._idle.wait()

    async def handle_event(self, event: Event, platform: DiscordPlatform) -> Outcome:
        target = event.target_user
        if target is not None and target.name != target.key.partition(":")[2]:
            # the core names a user given by key from what it has stored; Discord told us the name, so store it
            # (see the report: the core could use Event.target_user's name directly)
            try:
                await self.core.store.remember_user(target, self.core.services.clock.now())
            except Exception:
                log.exception("could not remember the name of %s", target.key)
        return await self.core.handle(event, platform)

    # ---- messages -------------------------------------------------------------------------------------

    async def on_message(self, client: discord.Client, message: discord.Message) -> None:
        if client.user is None:
            return
        async with self._handling("message"):
            if message.guild is not None:
                self.last_seen[message.channel.id] = max(message.id, self.last_seen.get(message.channel.id, 0))
                self._unsaved.add(message.channel.id)
            event = message_event(message, client.user.id, self.prefix)
            if event is None:
                return
            platform = DiscordPlatform(client, self.core.services.import_max_bytes)
            channel = message.channel
            if isinstance(message.author, discord.Member) and isinstance(channel, discord.abc.GuildChannel
                                                                         | discord.Thread):
                # worked out only if the core asks (most messages never need it)
                platform.local = (event.chat.key, event.user.key, channel, message.author)
            outcome = await self.handle_event(event, platform)
            await ChannelSender(self.core, event.chat, message, client.http).send(outcome)

    async def on_reaction(self, client: discord.Client, payload: discord.RawReactionActionEvent, *, added: bool
                          ) -> None:
        """A 👍 added to (or taken off) one of the bot's messages likes the comment it shows. Raw events: the
        message need not be in discord.py's cache, and nothing is answered."""
        if client.user is None or payload.user_id == client.user.id or payload.emoji.name != LIKE_EMOJI:
            return
        async with self._handling("reaction"):
            member = payload.member
            name = member.display_name if member is not None else str(payload.user_id)
            user = User(f"discord:{payload.user_id}", name)
            chat = chat_of(client.get_channel(payload.channel_id), payload.channel_id)
            event = Event(user, chat, Reaction(str(payload.message_id), added),
                          message_id=f"re{payload.message_id}:{payload.user_id}:{added}")
            await self.handle_event(event, DiscordPlatform(client, self.core.services.import_max_bytes))

    async def save_marks(self) -> None:
        """Writes where each channel was read to, for a restarted process to catch up from."""
        if self.marks is None or not self._unsaved:
            return
        channels, self._unsaved = self._unsaved, set()
        try:
            await self.marks.set_channel_marks({f"discord:{c}": self.last_seen[c] for c in channels
                                                if c in self.last_seen})
        except Exception:
            self._unsaved |= channels
            log.exception("could not save where %d Discord channels were read to", len(channels))

    async def resume_from_marks(self, client: discord.Client) -> None:
        """A process's first session: what its channels received while no process read them (it was down)
        is read from where the last one stopped."""
        if self.marks is None:
            return
        channels = [c for guild in client.guilds for c in guild.text_channels]
        try:
            stored = await self.marks.channel_marks([f"discord:{c.id}" for c in channels])
        except Exception:
            log.exception("could not read where Discord channels were read to; not catching up")
            return
        for channel in channels:
            mark = stored.get(f"discord:{channel.id}")
            if mark is not None:
                self.last_seen[channel.id] = mark
        await self.catch_up(client, client.guilds)

    def note_channels(self, client: discord.Client) -> None:
        """Remembers where each text channel stood when we first saw it, so a later catch-up knows what's new."""
        # a little before now: ids are per millisecond, and a message from the very moment we connected
        # must count as unseen (reading one twice costs nothing; comments are unique per message id)
        now = discord.utils.time_snowflake(discord.utils.utcnow() - datetime.timedelta(seconds=2))
        for guild in client.guilds:
            for channel in guild.text_channels:
                self.last_seen.setdefault(channel.id, channel.last_message_id or now)

    async def catch_up(self, client: discord.Client, guilds: Sequence[discord.Guild]) -> None:
        """After a new session (Discord replays nothing after an invalid session), read what each channel
        received meanwhile; only channels whose newest message we have not seen cost a request. Overlap is
        harmless: comments are unique per message id."""
        for guild in guilds:
            for channel in guild.text_channels:
                last = self.last_seen.get(channel.id)
                newest = channel.last_message_id
                if last is None or newest is None or newest <= last:
                    continue
                await self._read_since(client, channel, last)
        self.note_channels(client)
        if guilds:
            self.caught_up.set()

    async def _read_since(self, client: discord.Client, channel: discord.TextChannel, last: int) -> None:
        try:
            async for message in channel.history(after=discord.Object(last), oldest_first=True, limit=CATCH_UP):
                await self.on_message(client, message)
        except (discord.HTTPException, *TRANSIENT) as err:
            log.warning("could not catch up on channel %s after reconnecting: %s", channel.id, err)

    # ---- interactions (each read from its raw payload by interactions.RawInteractions) ---------------

    async def in_time(self, work: Coroutine[Any, Any, Outcome], sender: Deferrable, private: bool) -> Outcome:
        """Starts the core's work at once, and defers the interaction if it is not done after `defer_after`."""
        if self.defer_after <= 0:  # always acknowledge first (tests, or a deployment that wants it)
            task = asyncio.ensure_future(work)
            await sender.defer(private)
            return await task
        # a timer rather than a second task and asyncio.wait: most answers are ready long before it fires
        deferral: list[asyncio.Future[None]] = []
        timer = asyncio.get_running_loop().call_later(
            self.defer_after, lambda: deferral.append(asyncio.ensure_future(sender.defer(private))))
        try:
            return await work
        finally:
            timer.cancel()
            if deferral:
                await deferral[0]  # the answer follows the deferral it replaces
