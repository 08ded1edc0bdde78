"""Delivering the core's outcome on Telegram: messages, keyboards, documents, callback answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import (
    Bot,
    InputFile,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from adapters.metrics import metrics
from adapters.telegram.events import Incoming
from adapters.telegram.internals import post_raw
from adapters.telegram.limits import MESSAGE_LIMIT, TOAST_LIMIT
from adapters.telegram.render import label, render_messages
from bot.core import Core
from bot.ports import PlatformUnreachable
from bot.types import Chat, Outcome, Reply, Sent, plain_text

log = logging.getLogger("articlebot.telegram")
T = TypeVar("T")
NO_PREVIEW = {"is_disabled": True}  # link_preview_options
ATTEMPTS = 4


def keyboard(reply: Reply) -> dict[str, Any] | None:
    """The reply's buttons as the Bot API's inline keyboard JSON."""
    rows = [[{"text": label(b), "callback_data": b.data} for b in row] for row in reply.buttons if row]
    return {"inline_keyboard": rows} if rows else None


async def post_message(bot: Bot, params: dict[str, Any], method: str = "sendMessage") -> int | None:
    """sendMessage (or editMessageText) through PTB's own request pipeline (defaults, rate limiter, errors
    mapped to `telegram.error`), returning only the message's id.

    `Bot.send_message` would build a `Message`, with every entity of the echoed text, from the answer;
    only the id is used here, and that parsing was a quarter of the adapter's CPU per reply."""
    result = await post_raw(bot, method, params)
    return int(result["message_id"]) if isinstance(result, dict) and "message_id" in result else None


def retry_seconds(err: RetryAfter) -> float:
    wait = err.retry_after
    return float(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)


async def with_retries(what: str, call: Callable[[], Awaitable[T]], *, later: bool = False) -> T | None:
    """Retries flood waits and network trouble; gives up (logged once) on what retrying cannot fix.

    BadRequest propagates: the caller knows what to do differently. With `later`, network trouble or a flood
    wait that outlasts the retries raises PlatformUnreachable instead of returning None (a message nobody is
    waiting for can be sent again later).
    """
    delay = 0.5
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as err:
            metrics().rate_limited("telegram")
            if attempt == 1:
                log.warning("%s: Telegram asks to wait %.0f s (flood control); waiting", what, retry_seconds(err))
            await asyncio.sleep(min(retry_seconds(err), 60.0))
        except BadRequest:
            raise
        except Forbidden as err:
            log.info("%s refused by Telegram (blocked or removed from the chat): %s", what, err)
            return None
        except NetworkError as err:  # includes TimedOut
            if attempt == 1:
                log.warning("%s failed (%s); retrying", what, err)
            if attempt == ATTEMPTS:
                log.warning("%s failed after %d attempts: %s", what, attempt, err)
                if later:
                    raise PlatformUnreachable(what) from err
                return None
            await asyncio.sleep(delay)
            delay *= 2
    log.warning("%s still rate-limited after %d attempts", what, ATTEMPTS)
    if later:
        raise PlatformUnreachable(what)
    return None


def answered_message(reply: Reply, incoming: Incoming) -> int | None:
    """The message an answer replies to: the comment being answered, when a reply should reach its author
    (Telegram tells people when their message is replied to), else the message that asked."""
    notify = reply.notify
    if notify is not None and notify.message_id is not None and notify.message_id.isdigit():
        return int(notify.message_id)
    return incoming.message_id if incoming.callback_id is None else None


class Sender:
    def __init__(self, bot: Bot, core: Core) -> None:
        self.bot = bot
        self.core = core

    async def deliver(self, incoming: Incoming, outcome: Outcome) -> None:
        query_id = incoming.callback_id
        if query_id is not None:
            quiet = all(r.private for r in outcome.replies)
            notice = outcome.notice if quiet else None
            await with_retries("answerCallbackQuery", lambda: self.bot.answer_callback_query(
                query_id, text=(notice or "")[:TOAST_LIMIT] or None, show_alert=False))
            if quiet:
                return  # a refused or stale press: the notice says it, no message in the chat
            if await self._edit_in_place(incoming, outcome):
                return
        for reply in outcome.replies:
            await self.send_reply(incoming, reply)

    async def _edit_in_place(self, incoming: Incoming, outcome: Outcome) -> bool:
        """Navigation buttons turn the page in the same message instead of adding one."""
        if incoming.message_id is None or len(outcome.replies) != 1 or outcome.replies[0].file is not None:
            return False
        reply = outcome.replies[0]
        texts = render_messages(reply)
        if len(texts) != 1:
            return False
        params: dict[str, Any] = {"chat_id": incoming.chat_id, "message_id": incoming.message_id, "text": texts[0],
                                  "parse_mode": ParseMode.HTML.value, "link_preview_options": NO_PREVIEW}
        markup = keyboard(reply)
        if markup is not None:
            params["reply_markup"] = markup
        try:
            edited = await post_message(self.bot, params, "editMessageText")
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            return False  # too old to edit, or not ours: send a new message instead
        except (TimedOut, NetworkError):
            return False
        if reply.anchor is not None and edited is not None:
            await self.core.remember_sent(incoming.event.chat, str(edited), reply.anchor)
        return True

    async def send_reply(self, incoming: Incoming, reply: Reply) -> None:
        chat_id = incoming.chat_id
        thread = int(incoming.event.chat.thread) if incoming.event.chat.thread else None
        texts = render_messages(reply)
        markup = keyboard(reply)
        for i, text in enumerate(texts):
            params: dict[str, Any] = {"chat_id": chat_id, "link_preview_options": NO_PREVIEW}
            if thread is not None:
                params["message_thread_id"] = thread
            answered = answered_message(reply, incoming)
            if i == 0 and answered is not None:
                params["reply_parameters"] = {"message_id": answered, "allow_sending_without_reply": True}
            if i == len(texts) - 1 and markup is not None:
                params["reply_markup"] = markup
            sent = await self._send_text(text, reply, params)
            if sent is not None and reply.anchor is not None:
                await self.core.remember_sent(incoming.event.chat, str(sent), reply.anchor)
        if reply.file is not None:
            file = reply.file
            await with_retries("sendDocument", lambda: self.bot.send_document(
                chat_id, InputFile(file.content, filename=file.filename), message_thread_id=thread))

    async def announce(self, chat: Chat, reply: Reply) -> Sent | None:
        """A message nobody asked for (a followed feed's new post, a mod queue card), in the chat's main
        thread; the last message sent, which carries the buttons."""
        chat_id = int(chat.key.split(":", 1)[1])
        texts = render_messages(reply)
        markup = keyboard(reply)
        last: Sent | None = None
        for i, text in enumerate(texts):
            params: dict[str, Any] = {"chat_id": chat_id, "link_preview_options": NO_PREVIEW}
            if i == len(texts) - 1 and markup is not None:
                params["reply_markup"] = markup
            # nothing sent yet: the caller may try it all again later; once a piece went, the rest is best effort
            sent = await self._send_text(text, reply, params, later=last is None and i == 0)
            if sent is not None:
                last = Sent(chat.key, str(sent))
                if reply.anchor is not None:
                    await self.core.remember_sent(chat, str(sent), reply.anchor)
        return last

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        """Shows `reply` in a message `announce` sent (its first piece only; a card is one message); a
        reply without buttons takes the message's buttons away."""
        params: dict[str, Any] = {"chat_id": int(sent.chat_key.split(":", 1)[1]), "message_id": int(sent.message_id),
                                  "text": render_messages(reply)[0], "parse_mode": ParseMode.HTML.value,
                                  "link_preview_options": NO_PREVIEW}
        markup = keyboard(reply)
        if markup is not None:
            params["reply_markup"] = markup
        try:
            await with_retries("editMessageText", lambda: post_message(self.bot, params, "editMessageText"))
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            log.info("could not edit message %s in %s: %s", sent.message_id, sent.chat_key, err)
            return False
        return True

    async def _send_text(self, text: str, reply: Reply, params: dict[str, Any], *, later: bool = False
                         ) -> int | None:
        """Sends one HTML message; returns its message id, or None when it could not be sent."""
        try:
            return await with_retries("sendMessage", lambda: post_message(
                self.bot, params | {"text": text, "parse_mode": ParseMode.HTML.value}), later=later)
        except BadRequest as err:
            # The renderer escapes everything, so this should not happen; if Telegram still refuses the
            # markup, the words matter more than the formatting.
            log.error("Telegram refused a rendered message (%s); sending it as plain text", err)
            plain = "\n\n".join(plain_text(b) for b in reply.blocks)[:MESSAGE_LIMIT] or "…"
            params.pop("reply_parameters", None)
            try:
                return await with_retries("sendMessage", lambda: post_message(self.bot, params | {"text": plain}))
            except BadRequest as again:
                log.error("Telegram refused the plain-text fallback too: %s", again)
                return None
