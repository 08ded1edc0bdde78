"""The one module that reaches into discord.py's private or undocumented API (checked by
tests/test_discord_internals.py and tests/test_library_contracts.py, so an upgrade that moves it fails there,
loudly, and nowhere else): the gateway's parser table, the HTTP client's routes (`HTTPClient` methods,
`Route`, `handle_message_parameters`), and where the client connects.

The HTTP client is used directly because answering through discord.py's objects (`channel.send`,
`interaction.response`) builds a Message, a View or an Interaction around every request, and only an id is
ever read back; its rate limiting, retries and error mapping are kept by going through `HTTPClient.request`.

Why: discord.py's gateway loop calls `ConnectionState.parsers[event](data)` with no guard, and the parsers
index payloads freely. One event it cannot read (a member without `flags`, roles as objects, `"thread":
null`) raises out of the loop and ends the client for good: one malformed event from the platform would
be a total outage. Each parser is wrapped so such an event is logged and skipped, and the connection goes
on. The log names the event type and where the parser failed, never the exception's text, which may quote
user content."""

from __future__ import annotations

import json
import logging
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
import yarl
from discord.http import HTTPClient, MultipartParameters, Route, handle_message_parameters
from discord.webhook.async_ import async_context

log = logging.getLogger("articlebot.discord")
JSON = dict[str, Any]
Parser = Callable[[Any], None]
_GUARDED = "_articlebot_guarded"


class SkippedEvents:
    """Events discord.py could not parse, by type (for tests and health reports)."""

    def __init__(self) -> None:
        self.by_event: Counter[str] = Counter()
        self._reported: set[tuple[str, str, str]] = set()

    def note(self, event: str, err: BaseException) -> None:
        self.by_event[event] += 1
        where = _where(err)
        key = (event, type(err).__name__, where)
        if key in self._reported:  # a burst of the same bad shape is one log line, not thousands
            log.debug("skipped another %s discord.py could not read (%s at %s)", event, key[1], where)
            return
        self._reported.add(key)
        log.warning("discord.py could not read a %s event (%s at %s); skipped it, the connection goes on",
                    event, type(err).__name__, where)


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} {last.name}"


def guard_parsers(client: discord.Client, skipped: SkippedEvents, take: Callable[[Any], bool] | None = None) -> int:
    """Wrap every gateway event parser of `client`; returns how many were wrapped. `take`, when given, sees
    each raw INTERACTION_CREATE first and returns True for one it handles itself (discord.py then builds
    nothing for it)."""
    parsers: dict[str, Parser] = client._connection.parsers
    wrapped = 0
    for event, parse in list(parsers.items()):
        if getattr(parse, _GUARDED, False):
            continue
        if event == "INTERACTION_CREATE" and take is not None:
            parse = _taking(parse, take)
        parsers[event] = _guarded(event, parse, skipped)
        wrapped += 1
    return wrapped


def _taking(parse: Parser, take: Callable[[Any], bool]) -> Parser:
    def run(data: Any) -> None:
        if not take(data):
            parse(data)

    return run


def _guarded(event: str, parse: Parser, skipped: SkippedEvents) -> Parser:
    def run(data: Any) -> None:
        try:
            parse(data)
        except Exception as err:
            skipped.note(event, err)

    setattr(run, _GUARDED, True)
    return run


async def close_client(client: discord.Client) -> None:
    """`client.close()`, first cancelling the state's pending READY task: a connection that ends before
    discord.py's guild wait is over would otherwise fire `on_ready` into a closed client, whose loop is
    gone ("Task exception was never retrieved")."""
    ready = client._connection._ready_task
    if ready is not None and not ready.done():
        ready.cancel()
    await client.close()


# ---- where the client connects, and the HTTP routes used directly ------------------------------------


def point_at(api_url: str, gateway_url: str) -> None:
    """Module-level in discord.py: set before the client's first request or connection."""
    discord.http.Route.BASE = api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def message_params(content: str, allowed_mentions: discord.AllowedMentions,
                   components: list[JSON] | None = None, reference: JSON | None = None, *,
                   file: discord.File | None = None, flags: int = 0, nonce: str | None = None
                   ) -> MultipartParameters:
    """A message body as discord.py builds it (allowed mentions merged with the client's defaults); with a
    file, a multipart body whose `payload_json` part carries it."""
    params = handle_message_parameters(content, allowed_mentions=allowed_mentions,
                                       message_reference=cast(Any, reference) if reference else discord.utils.MISSING,
                                       file=file if file is not None else discord.utils.MISSING)
    body = body_of(params)
    if components is not None:
        body["components"] = components
    if flags:
        body["flags"] = flags
    if nonce is not None:  # Discord creates one message per nonce: a retried send cannot double it
        body["nonce"] = nonce
        body["enforce_nonce"] = True
    if params.payload is not None:
        params.payload.update(body)
    elif params.multipart:
        params.multipart[0]["value"] = json.dumps(body)
    return params


def body_of(params: MultipartParameters) -> JSON:
    """The JSON part of a message body (what goes in an interaction callback's `data`)."""
    if params.payload is not None:
        return dict(params.payload)
    return dict(json.loads(params.multipart[0]["value"])) if params.multipart else {}


async def send_message(http: HTTPClient, channel_id: int, params: MultipartParameters) -> JSON:
    return dict(await http.send_message(channel_id, params=params))


async def edit_message(http: HTTPClient, channel_id: int, message_id: int, params: MultipartParameters) -> JSON:
    return dict(await http.edit_message(channel_id, message_id, params=params))


async def open_dm(http: HTTPClient, user_id: int) -> JSON:
    return dict(await http.start_private_message(user_id))


async def put_commands(http: HTTPClient, app_id: int, guild_id: int | None, payload: list[JSON]) -> None:
    if guild_id is None:
        await http.bulk_upsert_global_commands(app_id, payload)
    else:
        await http.bulk_upsert_guild_commands(app_id, guild_id, payload)


async def post_command(http: HTTPClient, app_id: int, guild_id: int | None, command: JSON) -> None:
    if guild_id is None:
        await http.upsert_global_command(app_id, command)  # type: ignore[arg-type]
    else:
        await http.upsert_guild_command(app_id, guild_id, command)


def _send(http: HTTPClient, route: Route, body: JSON, message: MultipartParameters | None, **extra: Any) -> Any:
    if message is not None and message.payload is None and message.multipart:  # a file: the JSON in payload_json
        form = [dict(part) for part in message.multipart]
        form[0]["value"] = json.dumps(body)
        return http.request(route, form=form, files=message.files, **extra)
    return http.request(route, json=body, **extra)


def session_of(http: HTTPClient) -> aiohttp.ClientSession:
    """The client's aiohttp session (discord.py's own Interaction reads it the same way)."""
    return cast(aiohttp.ClientSession, http._HTTPClient__session)  # type: ignore[attr-defined]


async def interaction_callback(http: HTTPClient, interaction_id: int, token: str, body: JSON,
                               params: MultipartParameters | None = None) -> JSON:
    """POST /interactions/{id}/{token}/callback, the interaction's first answer, with what it created.

    Sent the way discord.py answers its own interactions: through its webhook adapter
    (`discord.webhook.async_`), which locks per interaction and retries 429s and 5xx, rather than through
    `HTTPClient.request`, whose bot-wide rate-limit bookkeeping does not apply to interactions (they are not
    under the bot's limits) and cost a third of the time an answer took. (Through `HTTPClient`, the route names
    no channel, guild or webhook, so every callback would also share one bucket: one in flight at a time.)"""
    if params is not None and params.payload is None and params.multipart:  # a file: the JSON in payload_json
        form = [dict(part) for part in params.multipart]
        form[0]["value"] = json.dumps(body)
        sendable = MultipartParameters(payload=None, multipart=form, files=params.files)
    else:
        sendable = MultipartParameters(payload=body, multipart=None, files=None)
    result = await async_context.get().create_interaction_response(
        interaction_id, token, session=session_of(http), proxy=http.proxy, proxy_auth=http.proxy_auth,
        params=sendable)
    return cast(JSON, result) if isinstance(result, dict) else {}


async def followup(http: HTTPClient, app_id: int, token: str, body: JSON,
                   params: MultipartParameters | None = None) -> JSON:
    """POST /webhooks/{app}/{token}: a further message answering an interaction."""
    route = Route("POST", "/webhooks/{webhook_id}/{webhook_token}", webhook_id=app_id, webhook_token=token)
    return dict(await _send(http, route, body, params, params={"wait": "true"}))


async def edit_original(http: HTTPClient, app_id: int, token: str, body: JSON,
                        params: MultipartParameters | None = None) -> JSON:
    """PATCH /webhooks/{app}/{token}/messages/@original: replaces a deferred answer's "thinking…"."""
    route = Route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", webhook_id=app_id,
                  webhook_token=token)
    return dict(await _send(http, route, body, params))


async def original(http: HTTPClient, app_id: int, token: str) -> JSON:
    """GET /webhooks/{app}/{token}/messages/@original: the message an answer created."""
    route = Route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", webhook_id=app_id,
                  webhook_token=token)
    return dict(await http.request(route))


async def delete_original(http: HTTPClient, app_id: int, token: str) -> None:
    route = Route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", webhook_id=app_id,
                  webhook_token=token)
    await http.request(route)
