"""A fake Discord (REST + gateway websocket) on 127.0.0.1 that the real discord.py 2.7 client talks to.

Usage::

    async with FakeDiscord() as fake:
        discord.http.Route.BASE = f"{fake.url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{fake.ws_url}/")
        client = discord.Client(intents=..., guild_ready_timeout=0.05)
        task = asyncio.create_task(client.start(fake.token))
        await fake.wait_ready()
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(3001, 5001, "hello"))
        call = await fake.wait_for_call("/channels/3001/messages", "POST")

Default world: application / bot user 1000 (member with the managed role 4000 "articlebot"); guild 2000
owned by 5003; roles @everyone (2000, EVERYONE_DEFAULT = basic text permissions, nothing moderating),
4001 "Mods" (MANAGE_MESSAGES), 4002 "Admin" (ADMINISTRATOR); text channels 3001 "general" and 3002
"reading"; members 5001 (no roles), 5002 (Mods), 5003 (Admin).

The split: `discord_payloads` (state model + payload builders), `discord_rest` (REST routes, `Call`),
`discord_gateway` (websocket gateway); this module wires them into one aiohttp app.

As its own process (the benchmark's way): `python -m tests.fakes.discord_server --port 0 --token T
[--channels N]` prints `{"url": ..., "ws_url": ...}` on one line and serves until killed, with the small
control API of `discord_control` (dispatch MESSAGE_CREATEs, read counters and gateway state).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from .discord_gateway import FakeGateway
from .discord_payloads import (
    BOT_DEFAULT,
    EVERYONE_DEFAULT,
    JSON,
    DiscordState,
    FakeChannel,
    FakeMember,
    FakeRole,
    InteractionRecord,
)
from .discord_rest import Call, FakeRestApi

__all__ = ["Call", "FakeDiscord", "DiscordState", "InteractionRecord"]


class FakeDiscord:
    def __init__(
        self,
        *,
        token: str = "FAKE.DISCORD.TOKEN",
        application_id: int = 1000,
        bot_user_id: int | None = None,
        bot_name: str = "articlebot",
        guild_id: int = 2000,
        everyone_permissions: int = EVERYONE_DEFAULT,
        bot_permissions: int = BOT_DEFAULT,
        populate: bool = True,
        heartbeat_interval_ms: int = 41250,
        allow_privileged_intents: bool = True,
        echo_own_messages: bool = False,
        port: int = 0,
    ) -> None:
        """`echo_own_messages`: also send MESSAGE_CREATE/UPDATE/DELETE over the gateway for messages the
        bot creates/edits/deletes through REST (as real Discord does); off by default. `port` 0: any free one."""
        self.token = token
        self._wanted_port = port
        self.echo_own_messages = echo_own_messages
        self.state = DiscordState(
            application_id=application_id,
            bot_user_id=bot_user_id,
            bot_name=bot_name,
            guild_id=guild_id,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
            populate=populate,
        )
        self.calls: list[Call] = []
        self.unknown_calls: list[Call] = []
        # extension points (the control API of `python -m tests.fakes.discord_server` uses them)
        self.app_hooks: list[Callable[[web.Application], None]] = []  # called with the app before it starts
        self.call_hooks: list[Callable[[Call], None]] = []  # called with every recorded REST call
        self.gateway = FakeGateway(
            self,
            heartbeat_interval_ms=heartbeat_interval_ms,
            allow_privileged_intents=allow_privileged_intents,
        )
        self.rest = FakeRestApi(self)
        self.recommended_shards = 1  # what GET /gateway/bot recommends
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._drops = 0
        self._faults: list[tuple[str, str, int, str, int]] = []  # (method, path part, status, message, code)

        # payload builders (see DiscordState for the signatures)
        self.message_create = self.state.message_create
        self.slash_interaction = self.state.slash_interaction
        self.autocomplete_interaction = self.state.autocomplete_interaction
        self.component_interaction = self.state.component_interaction

    # -- lifecycle --

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self.rest.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        app.router.add_get("/", self.gateway.handle)
        for hook in self.app_hooks:
            hook(app)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._wanted_port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self.state.base_url = self.url
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        self.release_gateway()
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord not started")
        return self._port

    @property
    def url(self) -> str:
        """HTTP base, e.g. http://127.0.0.1:PORT (REST lives under /api/v10)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """Gateway base, e.g. ws://127.0.0.1:PORT (also sent as READY's resume_gateway_url)."""
        return f"ws://127.0.0.1:{self.port}"

    # -- REST call recording --

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        for hook in self.call_hooks:
            hook(call)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(self, check: Callable[[], Any], seconds: float, what: str) -> Any:
        try:
            async with asyncio.timeout(seconds):
                while True:
                    result = check()
                    if result:
                        return result
                    async with self._changed:
                        await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"fake discord: timed out after {seconds}s waiting for {what}") from None

    def calls_to(self, path_substring: str, method: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if path_substring in c.path and (method is None or c.method == method.upper())
        ]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """The first recorded call (past or future) matching `predicate`."""

        def check() -> Call | None:
            return next((c for c in self.calls if predicate(c)), None)

        try:
            return await self._wait_until(check, timeout, "a matching REST call")
        except TimeoutError as exc:
            recent = "\n  ".join(repr(c) for c in self.calls[-15:])
            raise TimeoutError(f"{exc}; calls so far:\n  {recent}") from None

    async def wait_for_call(
        self,
        path_substring: str,
        method: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """The first call (past or future) whose path contains `path_substring` (and method matches)."""
        wanted = method.upper() if method else None
        return await self.wait_for(
            lambda c: path_substring in c.path and (wanted is None or c.method == wanted), timeout
        )

    def fail_next(
        self, method: str, path_substring: str, *, status: int = 403, message: str = "Missing Permissions",
        code: int = 50013,
    ) -> None:
        """The next REST call with `method` whose path contains `path_substring` gets an error response
        (recorded with that status). discord.py retries 500/502/504 by itself, so 4xx is the useful test."""
        self._faults.append((method.upper(), path_substring, status, message, code))

    def _take_fault(self, call: Call) -> web.Response | None:
        for index, (method, part, status, message, code) in enumerate(self._faults):
            if call.method == method and part in call.path:
                del self._faults[index]
                return web.Response(
                    body=json.dumps({"message": message, "code": code}).encode(), status=status,
                    headers={"Content-Type": "application/json"},
                )
        return None

    def clear_calls(self) -> None:
        self.calls.clear()
        self.unknown_calls.clear()

    # -- gateway controls --

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def intents(self) -> int | None:
        """Intents of the last IDENTIFY (None before any)."""
        payloads = self.gateway.identify_payloads
        return int(payloads[-1].get("intents", 0)) if payloads else None

    @property
    def session_id(self) -> str | None:
        return self.gateway.session.session_id if self.gateway.session else None

    async def dispatch(self, event_name: str, data: JSON) -> int:
        """Send a dispatch with the next sequence number (also queued for replay on RESUME); returns `s`.
        While the client is disconnected the event is only queued and arrives with the RESUME replay."""
        return await self.gateway.dispatch(event_name, data)

    async def drop_connection(self, code: int | None = None) -> None:
        """Disconnect the client: `code=None` aborts the TCP connection (the client sees 1006), otherwise a
        close frame with `code` is sent (4000-4003/4005-4009/1000/1001 make discord.py resume)."""
        self._drops += 1
        await self.gateway.drop(code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        self._drops += 1
        await self.gateway.reconnect_request()

    def hold_gateway(self) -> None:
        """New gateway connections get no HELLO until `release_gateway()`: the client stays disconnected,
        so dispatches sent meanwhile can only arrive through the RESUME replay."""
        self.gateway.accepting.clear()

    def release_gateway(self) -> None:
        self.gateway.accepting.set()

    async def wait_ready(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until READY and the GUILD_CREATEs were sent (the client's on_ready follows after its
        `guild_ready_timeout`, 2 s by default)."""
        await self._wait_until(lambda: self.gateway.ready, timeout, "IDENTIFY/READY")

    async def wait_for_resume(self, timeout: float = 5.0, *, count: int | None = None) -> None:  # noqa: ASYNC109
        """Until `resume_count` reaches `count` (default: the number of drops/reconnects so far, min 1)."""
        target = count if count is not None else max(1, self._drops)
        await self._wait_until(lambda: self.resume_count >= target, timeout, f"RESUME #{target}")

    async def _echo(self, event: str, data: JSON) -> None:
        if self.echo_own_messages and self.gateway.session is not None:
            await self.dispatch(event, data)

    # -- world mutation (also announced to a connected client) --

    async def _announce(self, event: str, data: JSON) -> None:
        if self.gateway.session is not None:
            await self.dispatch(event, data)

    def add_user(self, user_id: int, username: str | None = None, *, bot: bool = False) -> None:
        self.state.add_user(user_id, username, bot=bot)

    async def add_member(
        self,
        user_id: int,
        username: str | None = None,
        *,
        roles: Sequence[int] = (),
        guild_id: int | None = None,
        nick: str | None = None,
    ) -> FakeMember:
        member = self.state.add_member(user_id, username, roles=roles, guild_id=guild_id, nick=nick)
        guild = self.state.guild(guild_id)
        data = self.state.member_payload(user_id, guild.id)
        await self._announce("GUILD_MEMBER_ADD", dict(data, guild_id=str(guild.id)))
        return member

    async def set_member_roles(
        self, user_id: int, roles: Sequence[int], *, guild_id: int | None = None
    ) -> None:
        guild = self.state.guild(guild_id)
        guild.members[user_id].roles = list(roles)
        data = self.state.member_payload(user_id, guild.id)
        await self._announce("GUILD_MEMBER_UPDATE", dict(data, guild_id=str(guild.id)))

    async def add_role(
        self, role_id: int, name: str, permissions: int = 0, *, guild_id: int | None = None
    ) -> FakeRole:
        role = self.state.add_role(role_id, name, permissions, guild_id=guild_id)
        gid = self.state.guild(guild_id).id
        await self._announce("GUILD_ROLE_CREATE", {"guild_id": str(gid), "role": role.payload()})
        return role

    async def add_channel(
        self, channel_id: int, name: str, *, guild_id: int | None = None, topic: str | None = None
    ) -> FakeChannel:
        channel = self.state.add_channel(channel_id, name, guild_id=guild_id, topic=topic)
        await self._announce("CHANNEL_CREATE", channel.payload())
        return channel

    async def set_overwrite(
        self,
        channel_id: int,
        target_id: int,
        *,
        allow: int = 0,
        deny: int = 0,
        type: int | None = None,
        guild_id: int | None = None,
    ) -> FakeChannel:
        """Replace the channel's overwrite for a role (type 0, the default when `target_id` is a role) or
        member (type 1)."""
        channel = self.state.set_overwrite(
            channel_id, target_id, allow=allow, deny=deny, type=type, guild_id=guild_id
        )
        await self._announce("CHANNEL_UPDATE", channel.payload())
        return channel

    # -- inspection helpers --

    def message(self, message_id: int) -> JSON | None:
        stored = self.state.messages.get(message_id)
        return copy.deepcopy(stored) if stored is not None else None

    def messages_in(self, channel_id: int) -> list[JSON]:
        """Stored messages of a channel, oldest first."""
        return [
            copy.deepcopy(m)
            for _, m in sorted(self.state.messages.items())
            if m["channel_id"] == str(channel_id)
        ]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """Synced application commands (global when guild_id is None)."""
        return self.state.commands(guild_id)

    def interaction(self, payload_or_id: JSON | int) -> InteractionRecord:
        """The record of an interaction built by one of the builders (responses, original message...)."""
        iid = payload_or_id if isinstance(payload_or_id, int) else int(payload_or_id["id"])
        return self.state.interactions[iid]

    def attachment_bytes(self, filename: str) -> list[bytes]:
        """Contents of every stored attachment called `filename` (uploads and test-made ones)."""
        return [content for name, content in self.state.blobs.values() if name == filename]

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        blob = self.state.blobs.get(int(request.match_info["attachment_id"]))
        if blob is None or blob[0] != request.match_info["filename"]:
            return web.Response(status=404, text="not found")
        return web.Response(body=blob[1], headers={"Content-Type": "application/octet-stream"})


async def _serve(port: int, token: str, channels: int) -> None:
    from .discord_control import Control

    fake = FakeDiscord(token=token, port=port)
    for index in range(len(fake.state.guild().channels), channels):
        fake.state.add_channel(3001 + index, f"channel-{index + 1}")
    Control(fake)
    await fake.start()
    print(json.dumps({"url": fake.url, "ws_url": fake.ws_url}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m tests.fakes.discord_server --port 0 --token T`: prints {"url", "ws_url"} as one JSON line, then
    serves on 127.0.0.1 until killed, with the control API of `discord_control` under /_control/."""
    import argparse
    import contextlib

    parser = argparse.ArgumentParser(description="Fake Discord (REST + gateway) on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="FAKE.DISCORD.TOKEN")
    parser.add_argument("--channels", type=int, default=2, help="text channels 3001, 3002, ... in guild 2000")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, args.channels))


if __name__ == "__main__":
    main()
