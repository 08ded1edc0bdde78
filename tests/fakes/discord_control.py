"""A small control API for the fake Discord run as its own process (`python -m tests.fakes.discord_server`).

- `POST /_control/dispatch_messages`: a JSON list of `{channel_id, author_id, content}` (or
  `{"messages": [...], "per_second": R, "window": W}`). Authors who are not guild members yet become plain
  members (no roles; not announced: without the members intent Discord would not announce them either). Every
  payload is built first, then a background task sends the MESSAGE_CREATE events to the connected client: all
  at once, R per second, and/or never more than W sent but not yet answered (a closed loop: each answer lets
  the next event go). Answers `{"ids": [message ids], "count": n}` once the payloads are built.
- `POST /_control/dispatch_interactions`: the same for slash commands: `{"interactions": [{channel_id,
  author_id, command, options}], "window": W}`; each counts as answered when its callback arrives.
- `GET /_control/counts`: cheap counters: messages the bot created (total and per channel, with their content
  length), interaction callbacks answered, how many of the dispatched messages got a reply (a message whose
  `message_reference` points at one), failed calls, and the times (`time.monotonic()` of this process) of the
  first dispatch sent, the last new answer and the last REST call.
- `GET /_control/state`: gateway ready?, identify/resume/heartbeat counts, dispatches sent and pending.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .discord_rest import Call

if TYPE_CHECKING:
    from .discord_server import FakeDiscord

_CHANNEL_MESSAGES = re.compile(r"^/channels/(\d+)/messages$")
_CALLBACK = re.compile(r"^/interactions/(\d+)/[^/]+/callback$")


class Control:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.awaiting: set[int] = set()  # ids of dispatched messages / interactions not answered yet
        self.answered = 0
        self.created = 0
        self.created_chars = 0
        self.per_channel: dict[str, int] = {}
        self.interactions_answered = 0
        self.failed_calls = 0
        self.calls = 0
        self.first_dispatch_at: float | None = None
        self.last_answer_at: float | None = None
        self.last_call_at: float | None = None
        self.dispatched = 0
        self.pending = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._window: asyncio.Semaphore | None = None
        self._in_window: set[int] = set()  # sent under the window, not answered yet
        fake.call_hooks.append(self.on_call)
        fake.app_hooks.append(self.routes)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/_control/dispatch_messages", self.dispatch_messages)
        app.router.add_post("/_control/dispatch_interactions", self.dispatch_interactions)
        app.router.add_get("/_control/counts", self.counts)
        app.router.add_get("/_control/state", self.state)

    # -- counting (called for every recorded REST call) --

    def on_call(self, call: Call) -> None:
        now = time.monotonic()
        self.calls += 1
        self.last_call_at = now
        if call.status >= 400:
            self.failed_calls += 1
            return
        if call.method != "POST":
            return
        body = call.json_body if isinstance(call.json_body, dict) else {}
        if match := _CHANNEL_MESSAGES.match(call.path):
            self.created += 1
            self.created_chars += len(body.get("content") or "")
            channel = match.group(1)
            self.per_channel[channel] = self.per_channel.get(channel, 0) + 1
            reference = body.get("message_reference") or {}
            replied = str(reference.get("message_id") or "")
            self._answer(int(replied) if replied.isdigit() else None, now)
        elif match := _CALLBACK.match(call.path):
            self.interactions_answered += 1
            self._answer(int(match.group(1)), now)

    def _answer(self, ident: int | None, now: float) -> None:
        if ident is not None and ident in self.awaiting:
            self.awaiting.discard(ident)
            self.answered += 1
            self.last_answer_at = now
            if ident in self._in_window and self._window is not None:
                self._in_window.discard(ident)
                self._window.release()

    # -- handlers --

    async def dispatch_messages(self, request: web.Request) -> web.StreamResponse:
        body: Any = await request.json()
        specs = body if isinstance(body, list) else body.get("messages", [])
        return await self._dispatch(body, specs, "MESSAGE_CREATE", lambda state, author, spec: state.message_create(
            int(spec["channel_id"]), author, str(spec["content"])))

    async def dispatch_interactions(self, request: web.Request) -> web.StreamResponse:
        body: Any = await request.json()
        specs = body.get("interactions", []) if isinstance(body, dict) else []
        return await self._dispatch(body, specs, "INTERACTION_CREATE", lambda state, author, spec: (
            state.slash_interaction(str(spec["command"]), spec.get("options") or [], author, int(spec["channel_id"]))))

    async def _dispatch(self, body: Any, specs: list[dict[str, Any]], event: str,
                        build: Callable[[Any, int, dict[str, Any]], dict[str, Any]]) -> web.StreamResponse:
        """Builds every payload first (authors who are not members yet join), then sends them in the
        background: at once, `per_second`, and/or at most `window` unanswered."""
        per_second = float(body.get("per_second") or 0) if isinstance(body, dict) else 0.0
        window = int(body.get("window") or 0) if isinstance(body, dict) else 0
        if self.fake.gateway.session is None:
            return web.json_response({"error": "no gateway session yet"}, status=409)
        state = self.fake.state
        guild = state.guild()
        payloads = []
        for spec in specs:
            author = int(spec["author_id"])
            if author not in guild.members:
                state.add_member(author, spec.get("username"))
            payload = build(state, author, spec)
            payloads.append(payload)
            self.awaiting.add(int(payload["id"]))
        self.pending += len(payloads)
        if window > 0 and self._window is None:  # the first window given stays (later batches share it)
            self._window = asyncio.Semaphore(window)
        task = asyncio.create_task(self._send(payloads, per_second, window > 0, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response({"ids": [p["id"] for p in payloads], "count": len(payloads)})

    async def _send(self, payloads: list[dict[str, Any]], per_second: float, windowed: bool,
                    event: str = "MESSAGE_CREATE") -> None:
        start = time.monotonic()
        for index, payload in enumerate(payloads):
            if per_second > 0:
                delay = start + index / per_second - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            if windowed and self._window is not None:
                await self._window.acquire()
                self._in_window.add(int(payload["id"]))
            if self.first_dispatch_at is None:
                self.first_dispatch_at = time.monotonic()
            await self.fake.dispatch(event, payload)
            self.dispatched += 1
            self.pending -= 1

    async def counts(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({
            "answered": self.answered,
            "awaiting": len(self.awaiting),
            "messages_created": self.created,
            "message_chars": self.created_chars,
            "messages_per_channel": self.per_channel,
            "interactions_answered": self.interactions_answered,
            "calls": self.calls,
            "failed_calls": self.failed_calls,
            "dispatched": self.dispatched,
            "first_dispatch_at": self.first_dispatch_at,
            "last_answer_at": self.last_answer_at,
            "last_call_at": self.last_call_at,
        })

    async def state(self, request: web.Request) -> web.StreamResponse:
        gateway = self.fake.gateway
        return web.json_response({
            "ready": gateway.ready,
            "identify_count": gateway.identify_count,
            "resume_count": gateway.resume_count,
            "heartbeat_count": gateway.heartbeat_count,
            "connections": len(gateway.connections),
            "intents": self.fake.intents,
            "dispatched": self.dispatched,
            "pending": self.pending,
            "calls": len(self.fake.calls),
        })
