"""Slash commands, autocomplete and button presses handled from the raw payload: from the gateway (the parser
hook in `internals.guard_parsers`) and from the HTTP interactions endpoint alike. Every interaction is answered
once, in time (deferred after `defer_after`), whatever goes wrong."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.http import HTTPClient

from adapters.discord.answers import FirstAnswer, RawAnswerer, gateway_answer
from adapters.discord.buttons import PREFIX, is_ours
from adapters.discord.events import Unreadable
from adapters.discord.payloads import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    HANDLED,
    NotAnInteraction,
    RawInteraction,
    message_has,
    read,
)
from adapters.discord.platform import DiscordPlatform
from adapters.discord.slash import choices_for, command_args, focused_option
from bot.actions import Verb, decode
from bot.commands.registry import REGISTRY
from bot.core import APOLOGY
from bot.i18n import N_, _, speaking
from bot.types import ButtonPress, Chat, Command, Event, User

if TYPE_CHECKING:
    from adapters.discord.serve import Dispatcher

log = logging.getLogger("articlebot.discord")
STALE_BUTTON = N_("This button is no longer valid.")
KINDS = {APPLICATION_COMMAND: "slash command", AUTOCOMPLETE: "autocomplete", COMPONENT: "button press"}
PRIVATE_VERBS = {Verb.APPROVE, Verb.REJECT, Verb.REVIEW}  # their answers only the presser sees: defer privately


class RawInteractions:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._tasks: set[asyncio.Task[None]] = set()

    def take(self, client: discord.Client, payload: Any) -> bool:
        """From the gateway's parser hook (synchronous): True when this interaction is ours to handle."""
        if not isinstance(payload, dict) or payload.get("type") not in HANDLED:
            return False
        self.start(client, client.http, payload, None)
        return True

    def start(self, client: discord.Client, http: HTTPClient, payload: dict[str, Any], first: FirstAnswer | None
              ) -> asyncio.Task[None]:
        self.dispatcher.begin()  # counted from now: idle() must not return before the task has begun
        task = asyncio.get_running_loop().create_task(self.handle(client, http, payload, first))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def handle(self, client: discord.Client, http: HTTPClient, payload: dict[str, Any],
                     first: FirstAnswer | None) -> None:
        answerer: RawAnswerer | None = None
        try:
            raw = read(payload)
            answerer = RawAnswerer(self.dispatcher.core, raw, http, first or gateway_answer(http, raw))
            if raw.type == APPLICATION_COMMAND:
                await self._command(client, raw, answerer)
            elif raw.type == AUTOCOMPLETE:
                await self._autocomplete(raw, answerer)
            elif raw.type == COMPONENT:
                await self._press(client, raw, answerer)
        except NotAnInteraction:
            log.info("skipped a Discord interaction without an id or token")
        except Unreadable as err:
            log.info("a Discord interaction could not be read (%s); answered so", type(err).__name__)
            if answerer is None:
                answerer = self._bare_answerer(http, payload, first)
            if answerer is not None:
                with speaking(answerer.raw.language):
                    await answerer.say_once(str(err))
        except Exception:
            kind = payload.get("type")
            log.exception("failed to handle a Discord %s", KINDS.get(kind, "interaction") if isinstance(kind, int)
                          else "interaction")
            if answerer is None:
                answerer = self._bare_answerer(http, payload, first)
            if answerer is not None:
                with speaking(answerer.raw.language):
                    await answerer.say_once(_(APOLOGY))
        finally:
            self.dispatcher.end()

    def _bare_answerer(self, http: HTTPClient, payload: dict[str, Any], first: FirstAnswer | None
                       ) -> RawAnswerer | None:
        """An answerer for an interaction that names nobody or nowhere: it can still be told so."""
        try:
            raw = RawInteraction(int(payload["id"]), str(payload["token"]), int(payload.get("type") or 0),
                      int(payload.get("application_id") or 0), {}, Chat("discord:0"), User("discord:0", "?"), None,
                      None)
        except (KeyError, TypeError, ValueError):
            return None
        return RawAnswerer(self.dispatcher.core, raw, http, first or gateway_answer(http, raw))

    def _platform(self, client: discord.Client, raw: RawInteraction) -> DiscordPlatform:
        known = {(raw.chat.key, raw.user.key): raw.moderator} if raw.moderator is not None else {}
        return DiscordPlatform(client, self.dispatcher.core.services.import_max_bytes, known)

    async def _command(self, client: discord.Client, raw: RawInteraction, answerer: RawAnswerer) -> None:
        name = str(raw.data.get("name", ""))
        spec = REGISTRY.get(name)
        args, target, attachment = command_args(spec, raw.data) if spec is not None else ("", None, None)
        event = Event(raw.user, raw.chat, Command(spec.name if spec is not None else name, args),
                      message_id=str(raw.id), target_user=target, attachment=attachment, answers_privately=True)
        private = spec.admin if spec is not None else True
        outcome = await self.dispatcher.in_time(self.dispatcher.handle_event(event, self._platform(client, raw)),
                                                answerer, private)
        await answerer.send(outcome, press=False)

    async def _press(self, client: discord.Client, raw: RawInteraction, answerer: RawAnswerer) -> None:
        custom_id = str(raw.data.get("custom_id", ""))
        if not (is_ours(custom_id) and message_has(raw.message, custom_id)):
            with speaking(raw.language):
                await answerer.say_once(_(STALE_BUTTON))  # not one of ours, or not on this message
            return
        data = custom_id[len(PREFIX):]
        event = Event(raw.user, raw.chat, ButtonPress(data), message_id=str(raw.id), answers_privately=True)
        action = decode(data)
        private = action is None or action.verb in PRIVATE_VERBS
        outcome = await self.dispatcher.in_time(self.dispatcher.handle_event(event, self._platform(client, raw)),
                                                answerer, private)
        await answerer.send(outcome, press=True)

    async def _autocomplete(self, raw: RawInteraction, answerer: RawAnswerer) -> None:
        spec = REGISTRY.get(str(raw.data.get("name", "")))
        focused = focused_option(raw.data)
        pairs: list[tuple[str, str]] = []
        if spec is not None and focused is not None:
            pairs = await choices_for(self.dispatcher.core.store, spec, raw.chat.key, *focused)
        await answerer.autocomplete(pairs)
