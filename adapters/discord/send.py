"""Outcomes as Discord messages: rendered and split by `render.py`, buttons on the last piece, never a ping.

`ChannelSender` answers a text command or a reply in the channel (private replies too: a channel cannot show a
message to one member, and a DM would lose the context); `answers.RawAnswerer` answers slash commands and button
presses, ephemerally when `Reply.private`, with the same plan and rules from here.
"""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import aiohttp
import discord
from discord.http import HTTPClient

from adapters.discord.buttons import components_of
from adapters.discord.internals import edit_message, message_params, send_message
from adapters.discord.limits import ERROR_EXCERPT
from adapters.discord.render import MESSAGE_LIMIT, render_messages
from bot.core import Core
from bot.i18n import N_
from bot.ports import PlatformUnreachable
from bot.types import Anchor, Button, Chat, File, Outcome, Reply, Sent, text_reply

log = logging.getLogger("articlebot.discord")

NO_PINGS = discord.AllowedMentions.none()
DONE = N_("✓ Done.")
T = TypeVar("T")
# discord.py retries a reset connection only for the macOS and Windows error numbers; on Linux it surfaces
TRANSIENT = (aiohttp.ClientConnectionError, ConnectionError, asyncio.TimeoutError)
RETRY_AFTER_SECONDS = 1.0
# discord.py gives a request no deadline (aiohttp's default is five minutes): a hung one would hold its handler
SEND_TIMEOUT = 15.0
NONCE_LIMIT = 25  # characters Discord accepts in a message nonce


class Failed(Exception):
    """A send that failed for good (already logged once)."""


async def attempt(what: str, chat: Chat, call: Callable[[], Awaitable[T]]) -> T:
    """One Discord request, retried once after a dropped connection or SEND_TIMEOUT without an answer (a
    created message carries a nonce Discord enforces, so the retry cannot double it); failures logged once,
    raised as Failed."""
    for first in (True, False):
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                return await call()
        except discord.HTTPException as err:
            log_failure(what, chat, err)
            raise Failed from err
        except TRANSIENT as err:
            if not first:
                log.warning("could not send %s in %s: the connection failed twice (%s)", what, chat.key,
                            type(err).__name__)
                raise Failed from err
        await asyncio.sleep(RETRY_AFTER_SECONDS)
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send."""

    content: str
    private: bool = False
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: File | None = None
    anchor: Anchor | None = None
    mention: int | None = None  # the one user this message may ping (the author of a comment answered)
    reference: int | None = None  # the message it replies to instead of the one that asked


MENTION_ROOM = 32  # "<@snowflake> " in front of the first piece of an answer that reaches someone


def discord_id(key: str) -> int | None:
    platform, _sep, ident = key.partition(":")
    return int(ident) if platform == "discord" and ident.isdigit() else None


def plan(outcome: Outcome) -> list[Outgoing]:
    out: list[Outgoing] = []
    for reply in outcome.replies:
        mention = discord_id(reply.notify.user_key) if reply.notify is not None else None
        chunks = render_messages(reply, MESSAGE_LIMIT - MENTION_ROOM) if mention else render_messages(reply)
        for index, chunk in enumerate(chunks):
            last, first = index == len(chunks) - 1, index == 0
            reference = None
            if first and reply.notify is not None and (reply.notify.message_id or "").isdigit():
                reference = int(reply.notify.message_id or 0)
            out.append(Outgoing(f"<@{mention}> {chunk}" if first and mention else chunk, reply.private,
                                reply.buttons if last else (), reply.file if last else None, reply.anchor,
                                mention if first else None, reference))
    return out


def allowed(item: Outgoing) -> discord.AllowedMentions:
    """Nobody, or the one person an answer is meant to reach: never roles, everyone, or whoever was quoted."""
    if item.mention is None:
        return NO_PINGS
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                   users=[discord.Object(id=item.mention)])


def notice_plan(notice: str) -> list[Outgoing]:
    return plan(Outcome((text_reply(notice, private=True),)))


def passing(err: BaseException | None) -> bool:
    """Is this failure Discord's or the network's for the moment (a server error, rate limited beyond
    discord.py's retries, a dropped connection) rather than a refusal?"""
    if isinstance(err, discord.HTTPException):
        return err.status >= 500 or err.status == 429
    return isinstance(err, TRANSIENT)


def log_failure(what: str, chat: Chat, err: discord.HTTPException) -> None:
    log.warning("could not send %s in %s: HTTP %s (code %s) %s", what, chat.key, err.status, err.code,
                err.text[:ERROR_EXCERPT])


async def announce_in_channel(core: Core, chat: Chat, http: HTTPClient, reply: Reply) -> Sent | None:
    """A message nobody asked for (a followed feed's new post, a mod queue card), through the client's own HTTP
    client; the last message sent, which carries the buttons."""
    channel_id = int(chat.key.split(":", 1)[1])
    last: Sent | None = None
    for item in plan(Outcome((reply,))):
        params = message_params(item.content, allowed(item), components_of(item.buttons) or None,
                                nonce=uuid.uuid4().hex[:NONCE_LIMIT])
        try:
            data = await attempt("an announcement", chat, partial(send_message, http, channel_id, params))
        except Failed as err:
            if last is None and passing(err.__cause__):  # nothing went yet: it may all be sent again later
                raise PlatformUnreachable(chat.key) from err
            continue
        last = Sent(chat.key, str(data["id"]))
        if item.anchor is not None:
            await core.remember_sent(chat, str(data["id"]), item.anchor)
    return last


async def edit_in_channel(sent: Sent, http: HTTPClient, reply: Reply) -> bool:
    """Shows `reply` in a message `announce_in_channel` sent (its first piece; a card is one message), with
    the reply's buttons or none."""
    item = plan(Outcome((reply,)))[0]
    params = message_params(item.content, NO_PINGS, components_of(item.buttons) or [])
    try:
        await attempt("an edit", Chat(sent.chat_key), partial(edit_message, http, int(sent.chat_key.split(":", 1)[1]),
                                                              int(sent.message_id), params))
    except Failed:
        return False
    return True


class ChannelSender:
    """Answers a message in its channel; the first piece is a reply to it (without pinging its author)."""

    def __init__(self, core: Core, chat: Chat, message: discord.Message, http: HTTPClient) -> None:
        self.core = core
        self.chat = chat
        self.message = message
        self.http = http  # the client's own (rate limits and retries shared with everything it sends)

    async def send(self, outcome: Outcome) -> None:
        reference: discord.MessageReference | None = self.message.to_reference(fail_if_not_exists=False)
        for index, item in enumerate(plan(outcome)):
            # the same for a redelivery of the message: a confirmation read back after a new session is not
            # sent again while Discord remembers the nonce (minutes), and a retried send is never doubled
            nonce = f"{self.message.id}.{index}"[:NONCE_LIMIT]
            if item.reference is not None:  # the comment answered: its author is told by the reply itself
                reference = discord.MessageReference(message_id=item.reference, channel_id=self.message.channel.id,
                                                     fail_if_not_exists=False)
            try:
                sent_id = await attempt("a reply", self.chat, partial(self._send_one, item, reference, nonce))
            except Failed:
                continue
            reference = None
            if item.anchor is not None:
                await self.core.remember_sent(self.chat, str(sent_id), item.anchor)

    async def _send_one(self, item: Outgoing, reference: discord.MessageReference | None, nonce: str) -> int:
        # discord.py's own request (rate limits, retries, errors as HTTPException), without the Message and
        # View objects `channel.send` builds around it: only the new id is used, and building them cost
        # about a sixth of the adapter's CPU per reply
        file = discord.File(io.BytesIO(item.file.content), filename=item.file.filename) if item.file else None
        params = message_params(item.content, allowed(item), components_of(item.buttons) or None,
                                dict(reference.to_message_reference_dict()) if reference else None, file=file,
                                nonce=nonce)
        data = await send_message(self.http, self.message.channel.id, params)
        return int(data["id"])
