"""The fake Discord REST API (`/api/v10/...`), recording every call.

discord.py 2.7.1 parses a body as JSON only when the response's Content-Type is exactly
`application/json` (`http.json_or_text` compares the header string), so every body here is sent with
that header and no charset suffix.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .discord_payloads import INTERACTION_AUTOCOMPLETE, JSON, InteractionRecord, iso_now

if TYPE_CHECKING:
    from .discord_server import FakeDiscord

# interaction callback types
CB_PONG = 1
CB_CHANNEL_MESSAGE = 4
CB_DEFERRED_CHANNEL_MESSAGE = 5
CB_DEFERRED_UPDATE_MESSAGE = 6
CB_UPDATE_MESSAGE = 7
CB_AUTOCOMPLETE_RESULT = 8
CB_MODAL = 9


@dataclass
class Call:
    """One REST request the fake received. `path` has the `/api/v10` prefix stripped."""

    method: str
    path: str
    query: dict[str, str]
    json_body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)  # when the request arrived

    def __repr__(self) -> str:
        return (
            f"<Call {self.method} {self.path} {self.status} body={self.json_body!r} files={len(self.files)}>"
        )


@dataclass
class RestRequest:
    call: Call
    params: dict[str, str]

    @property
    def body(self) -> JSON:
        return self.call.json_body if isinstance(self.call.json_body, dict) else {}

    def int_param(self, name: str) -> int:
        return int(self.params[name])


Handler = Callable[[RestRequest], Awaitable[web.Response]]
NONCE_SECONDS = 300.0  # how long Discord remembers an enforced nonce (it says "a few minutes")
#: What a fault does to a matching request: a response to send instead of the route's, or None to go on
#: to the route (after, say, a delay). `connection_reset` aborts the TCP connection instead.
FaultAction = Callable[[web.Request, Call], Awaitable[web.Response | None]]


class ConnectionResetFault(Exception):
    """Raised by `connection_reset()` after aborting the transport; the call is recorded with status 0."""


@dataclass
class RestFault:
    """A fault injected by `FakeRestApi.add_fault`: hits the next `times` calls matching method + path."""

    method: str
    path_part: str
    action: FaultAction
    times: int = 1
    hits: list[Call] = field(default_factory=list)

    def matches(self, call: Call) -> bool:
        return call.method == self.method and self.path_part in call.path


def rate_limited(retry_after: float, *, is_global: bool = False) -> FaultAction:
    """A 429 the way Discord sends it (body `retry_after`; discord.py only trusts a 429 with a Via header)."""

    async def action(request: web.Request, call: Call) -> web.Response:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global,
                "code": 0}
        response = json_response(body, 429)
        response.headers.update({"Via": "1.1 google", "Retry-After": str(retry_after),
                                 "X-RateLimit-Scope": "global" if is_global else "user"})
        return response

    return action


def server_error(status: int = 500) -> FaultAction:
    async def action(request: web.Request, call: Call) -> web.Response:
        return error(status, "Internal Server Error" if status == 500 else f"{status}: Server Error")

    return action


def slow(seconds: float, then: FaultAction | None = None) -> FaultAction:
    """Answers after `seconds`: with `then`'s response, or the route's own when `then` is None."""

    async def action(request: web.Request, call: Call) -> web.Response | None:
        await asyncio.sleep(seconds)
        return await then(request, call) if then is not None else None

    return action


def unknown_interaction() -> FaultAction:
    """What Discord answers to an interaction response sent after its 3-second window."""

    async def action(request: web.Request, call: Call) -> web.Response:
        return error(404, "Unknown interaction", 10062)

    return action


def connection_reset() -> FaultAction:
    """Aborts the TCP connection without answering (the client sees the server disconnect)."""

    async def action(request: web.Request, call: Call) -> web.Response:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise ConnectionResetFault(call.path)

    return action


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def error(status: int, message: str, code: int = 0) -> web.Response:
    return json_response({"message": message, "code": code}, status)


def no_content() -> web.Response:
    return web.Response(status=204)


class FakeRestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self.faults: list[RestFault] = []
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}  # (channel, nonce) -> (message id, when)
        # a command this returns a reason for is refused, as Discord refuses a command it finds invalid
        self.refuse_command: Callable[[JSON], str | None] | None = None
        # (method, pattern, handler, needs bot auth)
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        r = self._route
        r("GET", "/users/@me", self.get_me)
        r("GET", "/users/{user_id}", self.get_user)
        r("POST", "/users/@me/channels", self.create_dm)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        r("GET", "/gateway", self.get_gateway, auth=False)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        for scope in ("/applications/{app_id}/commands", "/applications/{app_id}/guilds/{guild_id}/commands"):
            r("GET", scope, self.get_commands)
            r("PUT", scope, self.put_commands)
            r("POST", scope, self.post_command)
            r("GET", scope + "/{command_id}", self.get_command)
            r("PATCH", scope + "/{command_id}", self.patch_command)
            r("DELETE", scope + "/{command_id}", self.delete_command)
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("GET", "/channels/{channel_id}/messages", self.get_messages)
        r("POST", "/channels/{channel_id}/messages", self.post_message)
        r("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user}", self.reaction)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user}", self.reaction)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        r("GET", "/guilds/{guild_id}", self.get_guild)
        r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self.get_roles)
        r("GET", "/guilds/{guild_id}/members", self.get_members)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        r("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback, auth=False)
        hook = "/webhooks/{app_id}/{token}"
        r("POST", hook, self.followup_create, auth=False)
        for target in ("@original", "{message_id}"):
            r("GET", hook + "/messages/" + target, self.webhook_message_get, auth=False)
            r("PATCH", hook + "/messages/" + target, self.webhook_message_edit, auth=False)
            r("DELETE", hook + "/messages/" + target, self.webhook_message_delete, auth=False)

    def _route(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern)
        self.routes.append((method, re.compile(f"^{pattern}$"), handler, auth))

    # -- faults --

    def add_fault(self, method: str, path_substring: str, action: FaultAction, *, times: int = 1) -> RestFault:
        """The next `times` calls with `method` whose path contains `path_substring` meet `action`
        (see `rate_limited`, `server_error`, `slow`, `unknown_interaction`, `connection_reset`)."""
        fault = RestFault(method.upper(), path_substring, action, times)
        self.faults.append(fault)
        return fault

    async def _injected(self, request: web.Request, call: Call) -> web.Response | None:
        fault = next((f for f in self.faults if f.matches(call)), None)
        if fault is None:
            return None
        fault.hits.append(call)
        if len(fault.hits) >= fault.times:
            self.faults.remove(fault)
        return await fault.action(request, call)

    # -- entry point --

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        json_body, files = await self._read_body(request)
        call = Call(
            method=request.method,
            path=path,
            query=dict(request.query),
            json_body=json_body,
            files=files,
            headers=dict(request.headers),
        )
        try:
            injected = await self._injected(request, call)
            response = injected if injected is not None else await self._respond(request, call)
        except ConnectionResetFault:
            await self.fake._record(call)  # status 0: nothing was answered
            return web.Response(status=204)  # never written: the transport is gone
        call.status = response.status
        if response.body is not None and response.status != 204:
            assert isinstance(response.body, bytes)
            call.response = json.loads(response.body)
        await self.fake._record(call)
        return response

    async def _respond(self, request: web.Request, call: Call) -> web.Response:
        if request.match_info.get("version") != "10":
            return error(400, "fake supports only API v10", 50041)
        fault = self.fake._take_fault(call)
        if fault is not None:
            return fault
        for method, pattern, handler, auth in self.routes:
            match = pattern.match(call.path)
            if match is None or method != call.method:
                continue
            if auth and request.headers.get("Authorization") != f"Bot {self.fake.token}":
                return error(401, "401: Unauthorized")
            return await handler(RestRequest(call, match.groupdict()))
        self.fake.unknown_calls.append(call)
        return error(404, "404: Not Found")

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        files: list[tuple[str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data)
                elif part.filename is not None:
                    files.append((part.filename, bytes(data)))
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode(errors="replace"), files

    # -- users / application / gateway --

    async def get_me(self, req: RestRequest) -> web.Response:
        return json_response(self.state.bot_user_payload())

    async def get_user(self, req: RestRequest) -> web.Response:
        user = self.state.users.get(req.int_param("user_id"))
        return json_response(user.payload()) if user else error(404, "Unknown User", 10013)

    async def create_dm(self, req: RestRequest) -> web.Response:
        recipient = int(req.body["recipient_id"])
        if recipient not in self.state.users:
            return error(400, "Invalid Recipient(s)", 50033)
        return json_response(self.state.open_dm(recipient).payload(self.state.users))

    async def get_application(self, req: RestRequest) -> web.Response:
        return json_response(self.state.application_payload())

    async def get_gateway(self, req: RestRequest) -> web.Response:
        return json_response({"url": self.fake.ws_url})

    async def get_gateway_bot(self, req: RestRequest) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0,
                 "max_concurrency": self.fake.gateway.max_concurrency}
        return json_response({"url": self.fake.ws_url, "shards": self.fake.recommended_shards,
                              "session_start_limit": limit})

    # -- application commands --

    def _command_scope(self, req: RestRequest) -> tuple[int | None, web.Response | None]:
        if req.int_param("app_id") != self.state.application_id:
            return None, error(403, "Missing Access", 50001)
        guild_id = int(req.params["guild_id"]) if "guild_id" in req.params else None
        if guild_id is not None and guild_id not in self.state.guilds:
            return None, error(403, "Missing Access", 50001)
        return guild_id, None

    async def get_commands(self, req: RestRequest) -> web.Response:
        guild_id, err = self._command_scope(req)
        return err or json_response(self.state.commands(guild_id))

    def _refusal(self, index: int, body: JSON) -> JSON | None:
        """Discord's "Invalid Form Body" for a command `refuse_command` rejects (None when it is accepted)."""
        why = self.refuse_command(body) if self.refuse_command is not None else None
        if why is None:
            return None
        return {str(index): {"options": {"_errors": [{"code": "APPLICATION_COMMAND_OPTION_INVALID", "message": why}]}}}

    async def put_commands(self, req: RestRequest) -> web.Response:
        guild_id, err = self._command_scope(req)
        if err:
            return err
        bodies = req.call.json_body or []
        errors = {}
        for i, body in enumerate(bodies):
            errors.update(self._refusal(i, body) or {})
        if errors:  # like Discord: one bad command refuses the whole overwrite, and nothing changes
            return json_response({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)
        return json_response(self.state.overwrite_commands(bodies, guild_id))

    async def post_command(self, req: RestRequest) -> web.Response:
        guild_id, err = self._command_scope(req)
        if err:
            return err
        refused = self._refusal(0, req.body)
        if refused:
            return json_response({"message": "Invalid Form Body", "code": 50035, "errors": refused["0"]}, 400)
        existed = self.state.command(req.body["name"], guild_id) is not None
        return json_response(self.state.upsert_command(req.body, guild_id), 200 if existed else 201)

    def _find_command(self, req: RestRequest) -> tuple[int | None, JSON | None]:
        guild_id = int(req.params["guild_id"]) if "guild_id" in req.params else None
        for command in self.state.commands(guild_id):
            if command["id"] == req.params["command_id"]:
                return guild_id, command
        return guild_id, None

    async def get_command(self, req: RestRequest) -> web.Response:
        _, command = self._find_command(req)
        return json_response(command) if command else error(404, "Unknown application command", 10063)

    async def patch_command(self, req: RestRequest) -> web.Response:
        guild_id, command = self._find_command(req)
        if command is None:
            return error(404, "Unknown application command", 10063)
        command.update(req.body)
        return json_response(self.state.upsert_command(command, guild_id))

    async def delete_command(self, req: RestRequest) -> web.Response:
        guild_id, command = self._find_command(req)
        if command is None:
            return error(404, "Unknown application command", 10063)
        table = self.state.global_commands if guild_id is None else self.state.guild_commands[guild_id]
        del table[command["name"]]
        return no_content()

    # -- channels & messages --

    async def get_channel(self, req: RestRequest) -> web.Response:
        channel = self.state.find_channel(req.int_param("channel_id"))
        return json_response(channel.payload(self.state.users)) if channel else _unknown_channel()

    async def get_messages(self, req: RestRequest) -> web.Response:
        channel_id = req.int_param("channel_id")
        if self.state.find_channel(channel_id) is None:
            return _unknown_channel()
        query = req.call.query
        limit = int(query.get("limit", 50))
        ids = sorted((mid for mid, m in self.state.messages.items() if m["channel_id"] == str(channel_id)))
        if "before" in query:
            ids = [i for i in ids if i < int(query["before"])]
        if "after" in query:
            ids = [i for i in ids if i > int(query["after"])][:limit]
        ids = sorted(ids, reverse=True)[:limit]
        return json_response([_rest_message(self.state.messages[i]) for i in ids])

    async def post_message(self, req: RestRequest) -> web.Response:
        channel_id = req.int_param("channel_id")
        if self.state.find_channel(channel_id) is None:
            return _unknown_channel()
        body = req.body
        if not (body.get("content") or body.get("embeds") or req.call.files or body.get("components")):
            return error(400, "Cannot send an empty message", 50006)
        nonce = body.get("nonce")
        remembered = self.nonces.get((channel_id, str(nonce))) if nonce and body.get("enforce_nonce") else None
        if remembered is not None and remembered[1] > time.monotonic() - NONCE_SECONDS:
            earlier = self.state.messages.get(remembered[0])
            if earlier is not None:  # Discord: the message this nonce already made, not a second one
                return json_response(_rest_message(earlier))
        reference = body.get("message_reference")
        referenced: int | None = None
        if reference and reference.get("message_id"):
            referenced = int(reference["message_id"])
            if referenced not in self.state.messages and reference.get("fail_if_not_exists", True):
                return error(400, "Invalid Form Body: message_reference: Unknown message", 50035)
        message = self.state.store_message(
            channel_id,
            self.state.bot_user_id,
            body.get("content") or "",
            embeds=body.get("embeds") or (),
            components=body.get("components") or (),
            attachments=self._attachments(channel_id, body, req.call.files),
            flags=int(body.get("flags") or 0),
            referenced_message=referenced,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
        )
        if nonce and body.get("enforce_nonce"):
            self.nonces[(channel_id, str(nonce))] = (int(message["id"]), time.monotonic())
        await self.fake._echo("MESSAGE_CREATE", message)
        return json_response(_rest_message(message))

    def _attachments(self, channel_id: int, body: JSON, files: list[tuple[str, bytes]]) -> list[JSON]:
        """Attachment objects for uploaded `files[n]` parts (metadata from payload `attachments`)."""
        meta = {int(a["id"]): a for a in body.get("attachments") or [] if str(a.get("id", "")).isdigit()}
        result = []
        for index, (filename, content) in enumerate(files):
            info = meta.get(index, {})
            extra = {"description": info["description"]} if info.get("description") else {}
            result.append(
                self.state.attachment_payload(channel_id, info.get("filename", filename), content, **extra)
            )
        return result

    def _message(self, req: RestRequest) -> JSON | None:
        message = self.state.messages.get(req.int_param("message_id"))
        if message is None or message["channel_id"] != req.params["channel_id"]:
            return None
        return message

    async def get_message(self, req: RestRequest) -> web.Response:
        message = self._message(req)
        return json_response(_rest_message(message)) if message else _unknown_message()

    async def patch_message(self, req: RestRequest) -> web.Response:
        message = self._message(req)
        if message is None:
            return _unknown_message()
        if message["author"]["id"] != str(self.state.bot_user_id):
            return error(403, "Cannot edit a message authored by another user", 50005)
        _apply_edit(
            message, req.body, self._attachments(int(message["channel_id"]), req.body, req.call.files)
        )
        await self.fake._echo("MESSAGE_UPDATE", copy.deepcopy(message))
        return json_response(_rest_message(message))

    async def delete_message(self, req: RestRequest) -> web.Response:
        message = self._message(req)
        if message is None:
            return _unknown_message()
        del self.state.messages[int(message["id"])]
        event = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            event["guild_id"] = message["guild_id"]
        await self.fake._echo("MESSAGE_DELETE", event)
        return no_content()

    async def bulk_delete(self, req: RestRequest) -> web.Response:
        for mid in req.body.get("messages", []):
            self.state.messages.pop(int(mid), None)
        return no_content()

    async def reaction(self, req: RestRequest) -> web.Response:
        return no_content() if self._message(req) else _unknown_message()

    async def typing(self, req: RestRequest) -> web.Response:
        if self.state.find_channel(req.int_param("channel_id")) is None:
            return _unknown_channel()
        return no_content()

    # -- guilds --

    def _guild(self, req: RestRequest) -> Any:
        return self.state.guilds.get(req.int_param("guild_id"))

    async def get_guild(self, req: RestRequest) -> web.Response:
        guild = self._guild(req)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        data = guild.guild_payload()
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return json_response(data)

    async def get_guild_channels(self, req: RestRequest) -> web.Response:
        guild = self._guild(req)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return json_response([c.payload() for c in guild.channels.values()])

    async def get_roles(self, req: RestRequest) -> web.Response:
        guild = self._guild(req)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return json_response([r.payload() for r in guild.roles.values()])

    async def get_members(self, req: RestRequest) -> web.Response:
        guild = self._guild(req)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        after = int(req.call.query.get("after", 0))
        limit = int(req.call.query.get("limit", 1))
        ids = sorted(uid for uid in guild.members if uid > after)[:limit]
        return json_response([self.state.member_payload(uid, guild.id) for uid in ids])

    async def get_member(self, req: RestRequest) -> web.Response:
        guild = self._guild(req)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        user_id = req.int_param("user_id")
        if user_id not in guild.members:
            return error(404, "Unknown Member", 10007)
        return json_response(self.state.member_payload(user_id, guild.id))

    # -- interactions --

    async def interaction_callback(self, req: RestRequest) -> web.Response:
        record = self.state.interactions.get(req.int_param("interaction_id"))
        if record is None or record.token != req.params["token"]:
            return error(404, "Unknown interaction", 10062)
        refused, result = self.apply_interaction_response(record, req.body, req.call.files)
        if refused is not None:
            return refused
        if req.call.query.get("with_response") in ("1", "true", "True"):
            return json_response(result)
        return no_content()

    def apply_interaction_response(self, record: InteractionRecord, body: JSON, files: Any = ()
                                   ) -> tuple[web.Response | None, JSON]:
        """What Discord does with an interaction's first answer, whether it came to the callback route or as
        the HTTP interactions endpoint's response: (a refusal, or None) and the callback's result."""
        if record.responded:
            return error(400, "Interaction has already been acknowledged.", 40060), {}
        kind = int(body.get("type", 0))
        if kind == CB_AUTOCOMPLETE_RESULT and record.type != INTERACTION_AUTOCOMPLETE:
            return error(400, "Invalid interaction response type for this interaction", 50035), {}
        if record.type == INTERACTION_AUTOCOMPLETE and kind != CB_AUTOCOMPLETE_RESULT:
            return error(400, "Autocomplete interactions only accept choices", 50035), {}
        record.responses.append(body)
        data: JSON = body.get("data") or {}
        flags = int(data.get("flags") or 0)
        interaction: JSON = {"id": str(record.id), "type": record.type}
        result: JSON = {"interaction": interaction}
        message: JSON | None = None
        if kind in (CB_CHANNEL_MESSAGE, CB_DEFERRED_CHANNEL_MESSAGE):
            data = dict(data, attachments=self._attachments(record.channel_id, data, files))
            message = self.state.interaction_message(
                record, data, loading=kind == CB_DEFERRED_CHANNEL_MESSAGE
            )
            record.original_message_id = int(message["id"])
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=kind == CB_DEFERRED_CHANNEL_MESSAGE,
                response_message_ephemeral=bool(flags & 64),
            )
        elif kind in (CB_UPDATE_MESSAGE, CB_DEFERRED_UPDATE_MESSAGE) and record.message_id is not None:
            stored = self.state.messages.get(record.message_id)
            record.original_message_id = record.message_id
            interaction.update(response_message_id=str(record.message_id), response_message_loading=False)
            if stored is not None and kind == CB_UPDATE_MESSAGE:
                _apply_edit(stored, data, self._attachments(record.channel_id, data, files))
                message = copy.deepcopy(stored)
        resource: JSON = {"type": kind}
        if message is not None:
            resource["message"] = _rest_message(message)
        if kind not in (CB_PONG, CB_AUTOCOMPLETE_RESULT):
            result["resource"] = resource
        return None, result

    def _record_for_webhook(self, req: RestRequest) -> InteractionRecord | None:
        if req.int_param("app_id") != self.state.application_id:
            return None
        return self.state.interaction_by_token(req.params["token"])

    async def followup_create(self, req: RestRequest) -> web.Response:
        record = self._record_for_webhook(req)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        if not record.responded:
            return error(404, "Unknown Webhook", 10015)  # Discord: followups need an initial response
        body = dict(req.body, attachments=self._attachments(record.channel_id, req.body, req.call.files))
        message = self.state.interaction_message(record, body)
        record.followup_message_ids.append(int(message["id"]))
        if record.response_type == CB_DEFERRED_CHANNEL_MESSAGE and record.original_message_id is not None:
            # the first followup after a deferral edits the "thinking..." message in Discord; the fake
            # keeps them separate but clears the loading flag so @original reads as finished.
            original = self.state.messages.get(record.original_message_id)
            if original is not None:
                original["flags"] = int(original["flags"]) & ~128
        if req.call.query.get("wait") in ("1", "true", "True"):
            return json_response(_rest_message(message))
        return no_content()

    def _webhook_message(self, req: RestRequest) -> tuple[InteractionRecord | None, JSON | None]:
        record = self._record_for_webhook(req)
        if record is None:
            return None, None
        if "message_id" in req.params:
            mid: int | None = int(req.params["message_id"])
        else:
            mid = record.original_message_id
        if mid is None or (mid != record.original_message_id and mid not in record.followup_message_ids):
            return record, None
        return record, self.state.messages.get(mid)

    async def webhook_message_get(self, req: RestRequest) -> web.Response:
        record, message = self._webhook_message(req)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        return json_response(_rest_message(message)) if message else _unknown_message()

    async def webhook_message_edit(self, req: RestRequest) -> web.Response:
        record, message = self._webhook_message(req)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        if message is None:
            return _unknown_message()
        _apply_edit(message, req.body, self._attachments(record.channel_id, req.body, req.call.files))
        message["flags"] = int(message["flags"]) & ~128
        return json_response(_rest_message(message))

    async def webhook_message_delete(self, req: RestRequest) -> web.Response:
        record, message = self._webhook_message(req)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        if message is None:
            return _unknown_message()
        del self.state.messages[int(message["id"])]
        return no_content()


def _apply_edit(message: JSON, body: JSON, new_attachments: list[JSON]) -> None:
    for key in ("content", "embeds", "components", "flags"):
        if key in body and body[key] is not None:
            message[key] = body[key]
    if "attachments" in body:
        keep = {str(a.get("id")) for a in body["attachments"] or []}
        message["attachments"] = [a for a in message["attachments"] if a["id"] in keep] + new_attachments
    elif new_attachments:
        message["attachments"] = message["attachments"] + new_attachments
    message["edited_timestamp"] = iso_now()


def _rest_message(message: JSON) -> JSON:
    """REST message objects carry no guild_id/member (the gateway ones do). A shallow copy: every caller
    encodes it before anything can change the stored message, and a deep copy of each answer was the fake's
    largest cost in the benchmarks."""
    return {key: value for key, value in message.items() if key != "member"}


def _unknown_channel() -> web.Response:
    return error(404, "Unknown Channel", 10003)


def _unknown_message() -> web.Response:
    return error(404, "Unknown Message", 10008)
