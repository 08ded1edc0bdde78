"""discord.py's gateway parsers, guarded from adapters/discord/internals.py: the private API it relies on
is still there (a contract that fails loudly on an upgrade), and events discord.py cannot read, from the
shapes reported against it to Hypothesis-made ones with wrong types in every field, are skipped while the
bot goes on answering over the same connection."""

from __future__ import annotations

import copy
import inspect
import logging
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.internals import SkippedEvents, guard_parsers
from tests.discord_harness import GENERAL, GUILD, PLAIN, World, discord_world, plain
from tests.test_discord_reliability import captured

JSON = dict[str, Any]
SECRET_TEXT = "do-not-log-this-comment-text"


def test_contract_the_gateway_calls_the_states_parser_table() -> None:
    client = discord.Client(intents=discord.Intents.none())
    parsers = client._connection.parsers
    assert isinstance(parsers, dict)
    for event in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "INTERACTION_CREATE", "GUILD_MEMBER_UPDATE", "READY"):
        assert callable(parsers[event])
    # the websocket reads the very dict the state holds, so wrapping its entries guards what the loop calls
    assert "ws._discord_parsers = client._connection.parsers" in inspect.getsource(
        discord.gateway.DiscordWebSocket.from_client)
    assert "self._discord_parsers[event]" in inspect.getsource(discord.gateway.DiscordWebSocket.received_message)
    # close_client cancels the pending READY: the state keeps it here until the guild wait is over
    assert client._connection._ready_task is None
    assert "self._ready_task = asyncio.create_task(self._delay_ready())" in inspect.getsource(
        discord.state.ConnectionState.parse_ready)


def test_guarding_twice_wraps_once_and_a_raising_parser_is_counted() -> None:
    client = discord.Client(intents=discord.Intents.none())
    skipped = SkippedEvents()
    assert guard_parsers(client, skipped) == len(client._connection.parsers)
    assert guard_parsers(client, skipped) == 0
    client._connection.parsers["MESSAGE_CREATE"]({"id": {"not": "an id"}})
    assert skipped.by_event["MESSAGE_CREATE"] == 1


def reported_shapes(world: World) -> list[tuple[str, JSON]]:
    """Payload shapes reported to break discord.py's parsers (issue 18)."""
    fake = world.fake
    roles_as_objects = fake.message_create(GENERAL, PLAIN, SECRET_TEXT)
    roles_as_objects["member"] = {**roles_as_objects.get("member", {}), "roles": [{"id": "1", "name": "x"}]}
    thread_null = fake.message_create(GENERAL, PLAIN, SECRET_TEXT)
    thread_null["thread"] = None
    thread_null["flags"] = 32
    no_version = fake.slash_interaction("section", [{"name": "section", "value": "2"}])
    del no_version["version"], no_version["attachment_size_limit"]
    member = fake.state.member_payload(PLAIN, GUILD)
    member.pop("flags", None)
    member["guild_id"] = str(GUILD)
    partial_update = {"id": "1", "channel_id": str(GENERAL), "guild_id": str(GUILD), "content": SECRET_TEXT,
                      "embeds": [], "author": {"id": {"nested": 1}}}
    return [("MESSAGE_CREATE", roles_as_objects), ("MESSAGE_CREATE", thread_null),
            ("INTERACTION_CREATE", no_version), ("GUILD_MEMBER_UPDATE", member),
            ("MESSAGE_UPDATE", partial_update), ("GUILD_ROLE_CREATE", {"guild_id": str(GUILD), "role": None}),
            ("CHANNEL_UPDATE", {"id": None, "type": "text"}), ("TYPING_START", {"user_id": []})]


async def still_answers(world: World) -> str:
    return plain(await world.slash("section", [{"name": "section", "value": "2"}]))


async def test_reported_bad_events_are_skipped_and_logged_without_content(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        with captured(logging.DEBUG) as logs:
            for event, payload in reported_shapes(world):
                await world.fake.dispatch(event, payload)
            assert "Cost of Living" in await still_answers(world)
        skipped = world.adapter.client.skipped_events
        assert sum(skipped.by_event.values()) >= 3, skipped.by_event
        warnings = [r.getMessage() for r in logs.records if r.name == "articlebot.discord"
                    and r.levelno >= logging.WARNING and "could not read" in r.getMessage()]
        assert warnings and all(SECRET_TEXT not in w for w in warnings)
        assert all(SECRET_TEXT not in r.getMessage() for r in logs.records if r.name.startswith("articlebot"))
        assert not any(c.text == SECRET_TEXT and c.chat_key.endswith(":0") for c in await world.comments())


WRONG = st.sampled_from([None, {}, [], {"id": "1"}, [{"id": "1"}], "", "text", -1, 2**70, True, 1.5])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value[:3]):
            found += paths(inner, (*prefix, i))
    return found


def mutated(base: JSON, draw: st.DrawFn) -> JSON:
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(payload) or [("id",)]))
        parent: Any = payload
        try:
            for step in where[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(where[-1], None)
            else:
                parent[where[-1]] = draw(WRONG)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape under this path
    return payload


async def test_hypothesis_events_with_wrong_types_never_stop_the_bot(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        bases: list[tuple[str, JSON]] = [
            ("MESSAGE_CREATE", fake.message_create(GENERAL, PLAIN, "!comment hello")),
            ("INTERACTION_CREATE", fake.slash_interaction("comment", [{"name": "text", "value": "hi"}])),
            ("GUILD_MEMBER_UPDATE", {**fake.state.member_payload(PLAIN, GUILD), "guild_id": str(GUILD)}),
            ("MESSAGE_UPDATE", fake.message_create(GENERAL, PLAIN, "edited")),
            ("MESSAGE_DELETE", {"id": "77", "channel_id": str(GENERAL), "guild_id": str(GUILD)}),
            ("GUILD_CREATE", fake.state.guild_create_payload(GUILD)),
        ]
        bursts: list[list[tuple[str, JSON]]] = []

        @settings(max_examples=25, database=None, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def collect(data: st.DataObject) -> None:
            burst = []
            for _ in range(data.draw(st.integers(1, 6))):
                event, base = data.draw(st.sampled_from(bases))
                burst.append((event, data.draw(st.composite(lambda draw, b=base: mutated(b, draw))())))
            bursts.append(burst)

        collect()
        assert len(bursts) == 25
        with captured(logging.ERROR) as logs:
            for n, burst in enumerate(bursts):
                for event, payload in burst:
                    await fake.dispatch(event, payload)
                assert "Cost of Living" in await still_answers(world), f"burst {n}: {[e for e, _ in burst]}"
        # each bad event was skipped at the parser or answered in plain words: none reached an apology
        failures = [r.getMessage() for r in logs.records if r.name.startswith("articlebot") and r.exc_info]
        assert failures == []
        assert not any(c.chat_key in ("discord:0", "discord:None") for c in await world.comments())
