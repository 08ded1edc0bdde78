"""Discord's HTTP interactions endpoint: Discord POSTs each interaction to a URL instead of the gateway, so any
number of workers behind a load balancer can answer slash commands and presses (discord.py has no such
server). Every request's Ed25519 signature over timestamp + body is verified with the application's public key;
anything unsigned, forged, stale or seen before gets 401. PING is answered PONG. An answer ready within
`answer_within` seconds goes back in the HTTP response; a slower one is deferred there and follows through the
webhook routes, exactly as over the gateway (`interactions.RawInteractions`)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import discord
from aiohttp import web
from discord.http import MultipartParameters
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from adapters.discord import internals
from adapters.discord.interactions import RawInteractions
from adapters.discord.payloads import PING

log = logging.getLogger("articlebot.discord")

PATH = "/interactions"
MAX_BODY = 256 * 1024  # an interaction payload is a few kilobytes; anything near this is not one
STALE_SECONDS = 300.0  # a signature older (or newer) than this is refused, and remembered this long
ANSWER_WITHIN = 2.5  # seconds: Discord waits 3 for the HTTP response
PONG = {"type": 1}
DEFERRED = 5
EPHEMERAL = 64


class SeenSignatures:
    """Signatures accepted in the last STALE_SECONDS: the same signed request again is a replay."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str) -> bool:
        now = self.clock()
        while self._seen and next(iter(self._seen.values())) < now - STALE_SECONDS:
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True


class HttpFirstAnswer:
    """The interaction's first answer, as the HTTP response; after the response went (a deferral, when the
    answer was not ready in time) a first message replaces the deferral's "thinking…" instead."""

    answers_later = True  # the first message's id is not known when this returns

    def __init__(self, client: discord.Client, application_id: int, token: str) -> None:
        self.client = client
        self.application_id = application_id
        self.token = token
        self.response: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.sent = asyncio.Event()  # the HTTP response is written: webhook calls for this interaction may follow

    async def __call__(self, body: dict[str, Any], message: MultipartParameters | None) -> str | None:
        if not self.response.done() and (message is None or message.payload is not None):
            self.response.set_result(body)
            return None  # the message is created when Discord reads the response: its id is not known yet
        if not self.response.done():  # a file cannot ride in the JSON response: defer, then send it
            flags = int((body.get("data") or {}).get("flags") or 0)
            self.response.set_result({"type": DEFERRED, "data": {"flags": flags & EPHEMERAL}})
        if body.get("type") != 4:
            return None  # a deferral or an acknowledgement after the endpoint already deferred: nothing to do
        data = dict(body.get("data") or {})
        data.pop("flags", None)
        await self.sent.wait()
        edited = await internals.edit_original(self.client.http, self.application_id, self.token, data, message)
        return str(edited["id"]) if edited.get("id") is not None else None

    def defer_now(self, payload: dict[str, Any]) -> dict[str, Any]:
        """What the HTTP response says when the answer is late: a deferral (an empty choice list for
        autocomplete, which cannot be deferred)."""
        if payload.get("type") == 4:
            body: dict[str, Any] = {"type": 8, "data": {"choices": []}}
        else:
            body = {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
        if not self.response.done():
            self.response.set_result(body)
        return self.response.result()


class InteractionsEndpoint:
    def __init__(self, raw: RawInteractions, client: Callable[[], discord.Client | None], public_key: str, *,
                 listen: str, port: int, answer_within: float = ANSWER_WITHIN,
                 clock: Callable[[], float] = time.time) -> None:
        self.raw = raw
        self.client = client
        self.key = VerifyKey(bytes.fromhex(public_key))
        self.listen = listen
        self.port = port
        self.answer_within = answer_within
        self.clock = clock
        self.seen = SeenSignatures(clock)
        self.bound_port: int | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(PATH, self._on_post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        self.bound_port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        log.info("Discord: interactions endpoint on http://%s:%s%s", self.listen, self.bound_port, PATH)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def verified(self, signature: str, timestamp: str, body: bytes) -> bool:
        try:
            sent_at = float(timestamp)
            self.key.verify(timestamp.encode("ascii") + body, bytes.fromhex(signature))
        except (ValueError, UnicodeEncodeError, BadSignatureError):
            return False
        if abs(self.clock() - sent_at) > STALE_SECONDS:
            return False
        return self.seen.first_time(signature)

    async def _on_post(self, request: web.Request) -> web.StreamResponse:
        signature = request.headers.get("X-Signature-Ed25519", "")
        timestamp = request.headers.get("X-Signature-Timestamp", "")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large")
        if not self.verified(signature, timestamp, body):
            return web.Response(status=401, text="invalid request signature")
        try:
            payload = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="not an interaction")
        if payload.get("type") == PING:
            return web.json_response(PONG)
        client = self.client()
        if client is None:
            return web.Response(status=503, text="not connected to Discord yet")
        try:
            first = HttpFirstAnswer(client, int(payload.get("application_id") or 0), str(payload.get("token")))
        except (TypeError, ValueError):
            return web.Response(status=400, text="not an interaction")
        self.raw.start(client, client.http, payload, first)
        try:
            answer = await asyncio.wait_for(asyncio.shield(first.response), self.answer_within)
        except TimeoutError:
            answer = first.defer_now(payload)
        response = web.json_response(answer)
        try:
            await response.prepare(request)
            await response.write_eof()
        finally:
            first.sent.set()
        return response
