"""Every private or undocumented library API the code calls, from its one fenced module per library, is still
there with the shape that module expects: a library upgrade that changes one fails here, by name, instead of in
a chat. (python-telegram-bot's: tests/test_telegram_internals.py; discord.py's gateway parsers:
tests/test_discord_internals.py.) And each platform limit the adapters name is the library's where it has one."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
from pathlib import Path

import aiosqlite
import discord
import pytest
from discord.http import HTTPClient, Route, handle_message_parameters

from adapters.discord import internals as discord_internals
from adapters.telegram import limits as telegram_limits
from bot.actions import MAX_BYTES
from storage import aiosqlite_internals


def params_of(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


# ---- aiosqlite (storage/aiosqlite_internals.py) ------------------------------------------------------


def test_aiosqlite_runs_a_function_as_one_job_on_its_thread() -> None:
    execute = aiosqlite.Connection._execute
    assert inspect.iscoroutinefunction(execute)
    assert params_of(execute)[:2] == ["self", "fn"]


async def test_aiosqlite_keeps_its_sqlite3_connection_and_runs_our_jobs(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "c.db") as conn:
        inner = aiosqlite_internals.raw_connection(conn)
        assert isinstance(inner, sqlite3.Connection)
        assert await aiosqlite_internals.on_thread(conn, lambda: inner.execute("SELECT 41 + 1").fetchone()) == (42,)


# ---- discord.py (adapters/discord/internals.py) ------------------------------------------------------


@pytest.mark.parametrize(("method", "expected"), [
    ("send_message", ["self", "channel_id", "params"]),
    ("edit_message", ["self", "channel_id", "message_id", "params"]),
    ("start_private_message", ["self", "user_id"]),
    ("bulk_upsert_global_commands", ["self", "application_id", "payload"]),
    ("bulk_upsert_guild_commands", ["self", "application_id", "guild_id", "payload"]),
    ("upsert_global_command", ["self", "application_id", "payload"]),
    ("upsert_guild_command", ["self", "application_id", "guild_id", "payload"]),
])
def test_discord_http_client_methods_keep_their_parameters(method: str, expected: list[str]) -> None:
    function = getattr(HTTPClient, method)
    assert params_of(function)[:len(expected)] == expected


def test_discord_http_client_requests_a_route_with_json_and_auth() -> None:
    params = inspect.signature(HTTPClient.request).parameters
    assert list(params)[:2] == ["self", "route"]
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())  # json=, auth=, params=
    route = Route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", interaction_id=1,
                  interaction_token="t")
    assert route.url.endswith("/interactions/1/t/callback") and isinstance(Route.BASE, str)


async def test_discord_answers_interactions_through_its_webhook_adapter_on_the_clients_session() -> None:
    from discord.webhook.async_ import AsyncWebhookAdapter, async_context

    assert isinstance(async_context.get(), AsyncWebhookAdapter)
    assert params_of(AsyncWebhookAdapter.create_interaction_response) == [
        "self", "interaction_id", "token", "session", "proxy", "proxy_auth", "params"]
    http = HTTPClient(asyncio.get_running_loop())
    assert hasattr(http, "_HTTPClient__session")  # what internals.session_of reads, as discord.py's Interaction does
def test_discord_builds_message_bodies_with_allowed_mentions_and_a_reference() -> None:
    assert {"content", "allowed_mentions", "message_reference"} <= set(params_of(handle_message_parameters))
    params = discord_internals.message_params("hi", discord.AllowedMentions.none(), [],
                                              {"message_id": 5, "fail_if_not_exists": False})
    body = params.payload
    assert body is not None and body["content"] == "hi" and body["allowed_mentions"] == {"parse": []}
    assert body["components"] == [] and body["message_reference"] == {"message_id": 5, "fail_if_not_exists": False}


def test_discord_gateway_address_is_a_class_attribute() -> None:
    assert hasattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY")


# ---- platform limits ---------------------------------------------------------------------------------


def test_telegram_limits_are_the_librarys() -> None:
    assert telegram_limits.MESSAGE_LIMIT == 4096 and telegram_limits.TOAST_LIMIT == 200
    assert telegram_limits.COMMAND_DESCRIPTION_LIMIT == 256 and telegram_limits.CAPTION_LIMIT == 1024
    assert MAX_BYTES <= telegram_limits.CALLBACK_DATA_LIMIT  # the core's button data fits Telegram's


def test_no_bare_platform_limit_is_sliced_in_the_adapters_or_the_core() -> None:
    root = Path(__file__).resolve().parent.parent
    bare = re.compile(r"\[:\s*(190|200|256|300|2000|4000|4096|1024)\s*\]")
    found = [f"{path.relative_to(root)}:{n}" for folder in ("adapters", "bot", "articlebot")
             for path in (root / folder).rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if bare.search(line)]
    assert found == []
