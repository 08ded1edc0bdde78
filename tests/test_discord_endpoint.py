"""The HTTP interactions endpoint, over real HTTP: the fake Discord signs every interaction with its own key
pair and posts it to the bot's endpoint. Forged, tampered, replayed, stale and malformed requests are refused;
PING is answered PONG; commands, autocomplete and buttons work as over the gateway; a slow answer is deferred in
the response and arrives through the webhook routes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from adapters.discord.endpoint import PATH
from tests.discord_harness import ADMIN, GENERAL, MOD, PLAIN, World, discord_world, settings_for
from tests.fakes.discord_http import InteractionPoster, Posted
from tests.fakes.discord_server import FakeDiscord

EPHEMERAL = 64


def with_endpoint(fake: FakeDiscord) -> Any:
    fake.poster = InteractionPoster(fake)  # type: ignore[attr-defined]
    return settings_for(fake, discord_public_key=fake.poster.public_key,  # type: ignore[attr-defined]
                        discord_interactions_port=0)


@asynccontextmanager
async def endpoint_world(tmp_path: Path, **kw: Any) -> AsyncIterator[tuple[World, InteractionPoster, str]]:
    async with discord_world(tmp_path, settings=with_endpoint, **kw) as world:
        endpoint = world.adapter.endpoint
        assert endpoint is not None and endpoint.bound_port
        yield world, world.fake.poster, f"http://127.0.0.1:{endpoint.bound_port}{PATH}"  # type: ignore[attr-defined]


def content(posted: Posted) -> str:
    data = posted.body.get("data") or {} if isinstance(posted.body, dict) else {}
    return re.sub(r"\\(.)", r"\1", str(data.get("content") or ""))


async def test_ping_is_answered_pong_and_anything_not_signed_by_discord_is_refused(tmp_path: Path) -> None:
    async with endpoint_world(tmp_path) as (world, poster, url):
        assert (await poster.post(url, {"type": 1, "id": "1"})).body == {"type": 1}
        payload = world.fake.slash_interaction("sections", [], PLAIN, GENERAL)
        forged = await poster.post(url, payload, signature=poster.sign(b'{"type": 1}', "0", SigningKey.generate()))
        assert forged.status == 401
        impostor = SigningKey.generate()  # a well-formed signature by another key
        stamp = str(int(__import__("time").time()))
        assert (await poster.post(url, payload, timestamp=stamp,
                                  signature=poster.sign(b"{}", stamp, impostor))).status == 401
        body = b'{"type": 1, "id": "2"}'
        tampered = await poster.post(url, raw=body.replace(b"1,", b"2,"), timestamp=stamp,
                                     signature=poster.sign(body, stamp))
        assert tampered.status == 401
        assert (await poster.post(url, {"type": 1}, timestamp="1000000000")).status == 401  # stale
        assert (await poster.post(url, {"type": 1}, signature="not hex")).status == 401
        assert (await poster.post(url, {"type": 1}, headers={"Content-Type": "application/json"})).status == 401
        assert (await poster.post(url, raw=b"\xff not json")).status == 400  # signed, but not an interaction
        assert (await poster.post(url, raw=b"[1, 2]")).status == 400
        once = b'{"type": 1, "id": "3"}'
        stamp = str(int(__import__("time").time()))
        signature = poster.sign(once, stamp)
        assert (await poster.post(url, raw=once, timestamp=stamp, signature=signature)).status == 200
        assert (await poster.post(url, raw=once, timestamp=stamp, signature=signature)).status == 401  # replayed
        assert not [c for c in world.fake.calls if "/callback" in c.path]  # none of it reached the core


async def test_commands_buttons_and_autocomplete_work_as_over_the_gateway(tmp_path: Path) -> None:
    async with endpoint_world(tmp_path) as (world, poster, url):
        listed = await poster.post(url, world.fake.slash_interaction("sections", [], PLAIN, GENERAL))
        assert listed.status == 200 and listed.body["type"] == 4 and "Cost of Living" in content(listed)
        asked = world.fake.slash_interaction("section", [{"name": "section", "value": "2"}], PLAIN, GENERAL)
        shown = await poster.post(url, asked)
        assert "Cost of Living" in content(shown) and "2/6" in content(shown)
        await world.adapter.dispatcher.idle()
        said = await poster.post(url, world.fake.slash_interaction(
            "comment", [{"name": "text", "value": "rent is high <b>here</b>"}], PLAIN, GENERAL))
        assert "Saved as #1" in content(said)
        assert [c.text for c in await world.comments()] == ["rent is high <b>here</b>"]
        refused = await poster.post(url, world.fake.slash_interaction(
            "remove", [{"name": "comment", "value": "#1"}], PLAIN, GENERAL))
        assert "Only admins" in content(refused) and refused.body["data"]["flags"] == EPHEMERAL
        removed = await poster.post(url, world.fake.slash_interaction(
            "remove", [{"name": "comment", "value": "#1"}], ADMIN, GENERAL))
        assert "Removed #1" in content(removed)
        choices = await poster.post(url, world.fake.state.autocomplete_interaction(
            "section", [{"name": "section", "value": "cost"}], "section", PLAIN, GENERAL))
        assert choices.body["type"] == 8 and choices.body["data"]["choices"][0]["value"] == "2"
        # the answer to /section 2 was created by Discord from the response: press its "next" button
        message_id = world.fake.state.interactions[int(asked["id"])].original_message_id
        assert message_id is not None
        anchored = None
        for _ in range(50):  # learned a moment after the response went: Discord made the message from it
            anchored = await world.store.anchor(f"discord:{GENERAL}", str(message_id))
            if anchored is not None:
                break
            await asyncio.sleep(0.1)
        assert anchored is not None and anchored.section_key is not None
        message = world.fake.state.messages[message_id]
        nxt = next(b["custom_id"] for row in message["components"] for b in row["components"] if "▶" in b["label"])
        pressed = await poster.post(url, world.fake.state.component_interaction(nxt, PLAIN, GENERAL, message_id))
        assert pressed.status == 200 and "3/6" in content(pressed) and "Technological Integration" in content(pressed)
        stale = await poster.post(url, world.fake.state.component_interaction("ab:h:nosuch", PLAIN, GENERAL,
                                                                               message_id))
        assert "no longer valid" in content(stale) and stale.body["data"]["flags"] == EPHEMERAL


async def test_a_slow_answer_is_deferred_in_the_response_and_follows_by_webhook(tmp_path: Path) -> None:
    async with endpoint_world(tmp_path, defer_after=0) as (world, poster, url):
        payload = world.fake.slash_interaction("sections", [], PLAIN, GENERAL)
        posted = await poster.post(url, payload)
        assert posted.status == 200 and posted.body == {"type": 5}  # "thinking…", visible to the channel
        await world.adapter.dispatcher.idle()
        record = world.fake.state.interactions[int(payload["id"])]
        assert record.original_message_id is not None
        shown = world.fake.state.messages[record.original_message_id]
        assert "Cost of Living" in shown["content"] and not int(shown["flags"]) & 128  # no longer loading
        private = world.fake.slash_interaction("remove", [{"name": "comment", "value": "#9"}], ADMIN, GENERAL)
        deferred = await poster.post(url, private)
        assert deferred.body == {"type": 5, "data": {"flags": EPHEMERAL}}  # admin answers stay private
        await world.adapter.dispatcher.idle()
        answer = world.fake.state.messages[world.fake.state.interactions[int(private["id"])].original_message_id]
        assert "no comment \\#9" in answer["content"]


async def test_a_fleet_of_workers_answers_over_http_on_one_database(database: Path | str) -> None:
    """One process holds the gateway, another only answers interactions over HTTP (DISCORD_GATEWAY=false);
    each has its own connection to one database. Interactions spread over both are numbered as one chat's."""
    import discord as discord_lib

    from bot.core import Core
    from bot.importer import parse_article
    from storage.open import open_store
    from tests.discord_harness import new_adapter
    from tests.support import DEMO, START

    old_base, old_gateway = discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    stores = [await open_store(database), await open_store(database)]
    try:
        await stores[0].save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        async with FakeDiscord() as fake:
            poster = InteractionPoster(fake)
            key = {"discord_public_key": poster.public_key, "discord_interactions_port": 0}
            adapters = [new_adapter(Core(stores[0], admin_cache_seconds=0), settings_for(fake, **key)),
                        new_adapter(Core(stores[1], admin_cache_seconds=0),
                                    settings_for(fake, **key, discord_gateway=False))]
            for adapter in adapters:
                await adapter.start()
            try:
                urls = [f"http://127.0.0.1:{a.endpoint.bound_port}{PATH}" for a in adapters if a.endpoint]
                assert len(urls) == 2 and adapters[1].client is not None and not adapters[1].client.is_ready()
                payloads = [fake.slash_interaction("comment", [{"name": "text", "value": f"point {i}"}],
                                                   (PLAIN, MOD, ADMIN)[i % 3], GENERAL) for i in range(40)]
                answers = await asyncio.gather(*(poster.post(urls[i % 2], p) for i, p in enumerate(payloads)))
                saved = sorted(int(m.group(1)) for a in answers if (m := re.search(r"Saved as #(\d+)", content(a))))
                assert saved == list(range(1, 41))  # every one stored once, numbered without a gap
                stored = await stores[1].all_comments(f"discord:{GENERAL}", 0, 100)
                assert sorted(c.text for c in stored) == sorted(f"point {i}" for i in range(40))
            finally:
                for adapter in adapters:
                    await adapter.stop()
    finally:
        discord_lib.http.Route.BASE, discord_lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        for store in stores:
            await store.close()


def test_the_endpoint_settings_refuse_what_cannot_work() -> None:
    import pytest
    from pydantic import ValidationError

    from articlebot.settings import Settings

    with pytest.raises(ValidationError, match="needs DISCORD_PUBLIC_KEY"):
        Settings(_env_file=None, discord_interactions_port=8080)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="needs DISCORD_INTERACTIONS_PORT"):
        Settings(_env_file=None, discord_gateway=False)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="64 hexadecimal"):
        Settings(_env_file=None, discord_public_key="not a key")  # type: ignore[call-arg]
    key = "ab" * 32
    assert Settings(_env_file=None, discord_public_key=key.upper(),  # type: ignore[call-arg]
                    discord_interactions_port=0).discord_public_key == key
