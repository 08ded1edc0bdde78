"""Answering an interaction from its raw payload: the first answer through a callback (the gateway's callback
route, or the HTTP endpoint's response), the rest as webhook follow-ups, with no discord.py objects built.

The rules: ephemeral when `Reply.private`, buttons on the last piece (`send.plan`), never a ping but the one
person an answer reaches, a deferred "thinking…" replaced by the first answer of its kind."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
from collections.abc import Awaitable, Callable
from functools import partial

import discord
from discord.http import HTTPClient, MultipartParameters

from adapters.discord import internals
from adapters.discord.buttons import components_of
from adapters.discord.payloads import RawInteraction
from adapters.discord.send import DONE, NO_PINGS, TRANSIENT, Failed, Outgoing, allowed, attempt, notice_plan, plan
from bot.core import Core
from bot.i18n import _, speaking
from bot.types import Outcome, Reply

log = logging.getLogger("articlebot.discord")
JSON = internals.JSON
EPHEMERAL = 64
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, AUTOCOMPLETE_RESULT = 4, 5, 6, 8

LATER: set[asyncio.Task[None]] = set()  # anchors being learned after an HTTP response went
# the interaction's first answer; returns the id of the message it created, when the answer says so
FirstAnswer = Callable[[JSON, MultipartParameters | None], Awaitable[str | None]]


def gateway_answer(http: HTTPClient, raw: RawInteraction) -> FirstAnswer:
    """The first answer through the callback route (the gateway's way)."""

    async def send(body: JSON, message: MultipartParameters | None) -> str | None:
        result = await internals.interaction_callback(http, raw.id, raw.token, body, message)
        created = (result.get("resource") or {}).get("message") if isinstance(result, dict) else None
        return str(created["id"]) if isinstance(created, dict) and "id" in created else None

    return send


# an answer's reply object -> (it, its messages): the core hands out the same reply object again for the same
# view (a section, say), so its rendering and splitting are done once; the reply is kept, so its id is not reused
_PLANS: dict[int, tuple[Reply, list[Outgoing]]] = {}
PLANS_KEPT = 1024


def planned(outcome: Outcome) -> list[Outgoing]:
    if len(outcome.replies) != 1 or outcome.notice is not None:
        return plan(outcome)
    reply = outcome.replies[0]
    known = _PLANS.get(id(reply))
    if known is not None and known[0] is reply:
        return known[1]
    if len(_PLANS) >= PLANS_KEPT:
        _PLANS.clear()
    items = plan(outcome)
    _PLANS[id(reply)] = (reply, items)
    return items


def message_params(item: Outgoing) -> MultipartParameters:
    """The body of one message; callers take its JSON with `internals.body_of`, which copies it."""
    return _text_params(item) if item.file is None else _params(item)


@functools.lru_cache(maxsize=1024)  # the same answer again (a section): its body is built once
def _text_params(item: Outgoing) -> MultipartParameters:
    return _params(item)


def _params(item: Outgoing) -> MultipartParameters:
    file = discord.File(io.BytesIO(item.file.content), filename=item.file.filename) if item.file else None
    return internals.message_params(item.content, allowed(item), components_of(item.buttons),
                                    file=file, flags=EPHEMERAL if item.private else 0)


class RawAnswerer:
    def __init__(self, core: Core, raw: RawInteraction, http: HTTPClient, first: FirstAnswer) -> None:
        self.core = core
        self.raw = raw
        self.http = http
        self.first = first
        self.answered = False
        self.deferred_private: bool | None = None
        self.original_pending = False  # deferred, and the "thinking…" message not yet replaced

    async def _first(self, body: JSON, message: MultipartParameters | None = None) -> str | None:
        created = await self.first(body, message)
        self.answered = True  # only now: a first answer that failed on the way is tried again as a first answer
        return created

    async def defer(self, private: bool) -> None:
        if self.answered:
            return
        try:
            await attempt("a deferral", self.raw.chat, partial(
                self._first, {"type": DEFERRED_MESSAGE, "data": {"flags": EPHEMERAL}} if private
                else {"type": DEFERRED_MESSAGE}))
        except Failed:
            return
        self.deferred_private = private
        self.original_pending = True

    async def autocomplete(self, choices: list[tuple[str, str]]) -> None:
        await attempt("an autocomplete answer", self.raw.chat, partial(self._first, {
            "type": AUTOCOMPLETE_RESULT, "data": {"choices": [{"name": n, "value": v} for n, v in choices]}}))

    async def say_once(self, text: str) -> None:
        """An apology or refusal, when nothing was answered yet (only the sender sees it)."""
        if self.answered:
            return
        body: JSON
        if self.raw.type == 4:
            body = {"type": AUTOCOMPLETE_RESULT, "data": {"choices": []}}
        else:
            body = {"type": MESSAGE, "data": {"content": text, "flags": EPHEMERAL, "allowed_mentions": {"parse": []}}}
        try:
            await self._first(body)
        except Exception as err:  # it expired meanwhile: the log line that brought us here stands
            log.debug("could not answer a Discord interaction: %s", type(err).__name__)

    async def send(self, outcome: Outcome, *, press: bool) -> None:
        items = planned(outcome)
        if outcome.notice and (not items or (press and all(i.private for i in items))):
            items = notice_plan(outcome.notice)  # a refused or stale press: a short note only the presser sees
        if not items:
            await self._acknowledge(press)
            return
        for item in items:
            try:
                message_id = await attempt("an interaction answer", self.raw.chat, partial(self._send_one, item))
            except Failed:
                continue
            if item.anchor is not None and message_id is not None and not item.private:
                await self.core.remember_sent(self.raw.chat, message_id, item.anchor)
        await self._drop_thinking()

    async def _after_first(self) -> None:
        """Webhook calls wait until an HTTP response carrying the first answer is written; Discord may take a
        moment more to know the interaction answered, which `_webhook` waits out."""
        sent = getattr(self.first, "sent", None)
        if isinstance(sent, asyncio.Event):
            await sent.wait()

    async def _webhook(self, call: Callable[[], Awaitable[JSON]]) -> JSON:
        await self._after_first()
        if not getattr(self.first, "answers_later", False):
            return await call()
        for pause in (0.2, 0.5, 1.0):
            try:
                return await call()
            except discord.NotFound:  # "Unknown Webhook": Discord has not read our response yet
                await asyncio.sleep(pause)
        return await call()

    async def _send_one(self, item: Outgoing) -> str | None:
        params = message_params(item)
        body = internals.body_of(params)
        if not self.answered:
            created = await self._first({"type": MESSAGE, "data": body}, params)
            if created is None and item.anchor is not None and not item.private:
                if getattr(self.first, "answers_later", False):
                    # an HTTP response: Discord creates the message once it reads it, so ask a moment later
                    task = asyncio.get_running_loop().create_task(self._remember_later(item))
                    LATER.add(task)
                    task.add_done_callback(LATER.discard)
                    return None
                created = str((await internals.original(self.http, self.raw.application_id, self.raw.token))["id"])
            return created
        if self.original_pending:
            self.original_pending = False
            if item.private == self.deferred_private:
                body.pop("flags", None)  # fixed when it was deferred
                edited = await self._webhook(partial(internals.edit_original, self.http, self.raw.application_id,
                                                     self.raw.token, body, params))
                return str(edited.get("id")) if edited.get("id") is not None else None
            await self._delete_original()  # its visibility was fixed at defer time; this answer needs the other
        sent = await self._webhook(partial(internals.followup, self.http, self.raw.application_id, self.raw.token,
                                           body, params))
        return str(sent.get("id")) if sent.get("id") is not None else None

    async def _remember_later(self, item: Outgoing) -> None:
        for pause in (0.1, 0.3, 1.0, 2.0):
            await asyncio.sleep(pause)
            await self._after_first()
            try:
                created = await internals.original(self.http, self.raw.application_id, self.raw.token)
            except (discord.HTTPException, *TRANSIENT):
                continue
            if item.anchor is not None and created.get("id") is not None:
                await self.core.remember_sent(self.raw.chat, str(created["id"]), item.anchor)
            return
        log.info("could not learn which message answered interaction %s; replies to it won't be anchored",
                 self.raw.id)

    async def _acknowledge(self, press: bool) -> None:
        if not self.answered:
            try:
                if press:  # nothing to say: just acknowledge the press
                    await attempt("an acknowledgement", self.raw.chat, partial(self._first, {"type": DEFERRED_UPDATE}))
                else:
                    with speaking(self.raw.language):
                        done = _(DONE)
                    await attempt("an acknowledgement", self.raw.chat, partial(self._first, {
                        "type": MESSAGE, "data": {"content": done, "flags": EPHEMERAL,
                                                  "allowed_mentions": NO_PINGS.to_dict()}}))
            except Failed:
                pass
        await self._drop_thinking()

    async def _drop_thinking(self) -> None:
        if self.original_pending:
            self.original_pending = False
            await self._delete_original()

    async def _delete_original(self) -> None:
        try:
            await self._after_first()
            await attempt("(deleting) the deferred answer", self.raw.chat, partial(
                internals.delete_original, self.http, self.raw.application_id, self.raw.token))
        except Failed:
            pass
