"""The fake Discord (tests/fakes/discord_server.py) driven by the real discord.py 2.7 client."""

from __future__ import annotations

import asyncio
import io
import json
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord_payloads import MANAGE_MESSAGES, VIEW_CHANNEL
from tests.fakes.discord_server import FakeDiscord

GUILD = 2000
GENERAL = 3001
READING = 3002
PLAIN, MOD, ADMIN = 5001, 5002, 5003


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = f"{server.url}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{server.ws_url}/")
        try:
            yield server
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def make_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return intents


def make_client() -> discord.Client:
    # guild_ready_timeout: on_ready fires this long after the last GUILD_CREATE (default 2 s).
    return discord.Client(intents=make_intents(), guild_ready_timeout=0.05)


@asynccontextmanager
async def running(client: discord.Client, fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    task = asyncio.create_task(client.start(fake.token))
    try:
        await _until(lambda: client.is_ready() or task.done(), 10)
        if task.done():
            task.result()  # surface a login/gateway error
        yield client
    finally:
        await client.close()
        async with asyncio.timeout(10):
            await task


async def test_login_ready_guild_members_and_channel_permissions(fake: FakeDiscord) -> None:
    client = make_client()
    async with running(client, fake):
        assert client.user is not None and client.user.id == 1000
        assert client.application_id == 1000
        guild = client.get_guild(GUILD)
        assert guild is not None and guild.chunked
        channel = guild.get_channel(GENERAL)
        assert isinstance(channel, discord.TextChannel)
        plain, mod, admin = guild.get_member(PLAIN), guild.get_member(MOD), guild.get_member(ADMIN)
        assert plain is not None and mod is not None and admin is not None
        assert [r.name for r in mod.roles] == ["@everyone", "Mods"]
        assert channel.permissions_for(mod).manage_messages is True
        assert channel.permissions_for(plain).manage_messages is False
        assert channel.permissions_for(admin).administrator is True
        assert guild.me.id == 1000

        # a per-channel overwrite made after READY reaches the client via CHANNEL_UPDATE
        await fake.set_overwrite(READING, MOD, deny=MANAGE_MESSAGES | VIEW_CHANNEL)
        await _until(lambda: not guild.get_channel(READING).permissions_for(mod).manage_messages)  # type: ignore[union-attr]
        assert channel.permissions_for(mod).manage_messages is True

        assert fake.identify_count == 1
        assert fake.intents == make_intents().value
        assert fake.gateway.connections[0].query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
        assert fake.calls_to("/users/@me", "GET") and fake.calls_to("/oauth2/applications/@me")


async def test_slash_command_sync_invoke_followup_and_autocomplete(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    done = asyncio.Event()
    seen: dict[str, object] = {}

    @tree.command(name="read", description="Read a section", guild=discord.Object(GUILD))
    @app_commands.describe(section="Which section")
    async def read(interaction: discord.Interaction, section: str) -> None:
        seen["section"] = section
        seen["user"] = interaction.user.id
        seen["can_manage"] = interaction.permissions.manage_messages
        seen["callback"] = await interaction.response.send_message("hi", ephemeral=True)
        seen["followup"] = await interaction.followup.send("more", wait=True)
        done.set()

    @tree.command(name="slow", description="Deferred reply", guild=discord.Object(GUILD))
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        seen["edited"] = await interaction.edit_original_response(content="done")
        done.set()

    @read.autocomplete("section")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current}-1", value=f"{current}-1")]

    async with running(client, fake):
        synced = await tree.sync(guild=discord.Object(GUILD))
        stored = fake.commands(GUILD)
        assert sorted(c["name"] for c in stored) == ["read", "slow"]
        read_cmd = next(c for c in stored if c["name"] == "read")
        assert read_cmd["options"][0]["name"] == "section" and read_cmd["options"][0]["autocomplete"]
        assert {c.name: c.id for c in synced} == {c["name"]: int(c["id"]) for c in stored}

        payload = fake.slash_interaction("read", [{"name": "section", "value": "intro"}], MOD, GENERAL)
        assert payload["data"]["id"] == read_cmd["id"] and payload["data"]["guild_id"] == str(GUILD)
        await fake.dispatch("INTERACTION_CREATE", payload)
        callback = await fake.wait_for_call(f"/interactions/{payload['id']}/{payload['token']}/callback", "POST")
        assert callback.query == {"with_response": "1"}
        assert callback.json_body["type"] == 4
        assert callback.json_body["data"]["content"] == "hi"
        assert callback.json_body["data"]["flags"] == 64
        async with asyncio.timeout(5):
            await done.wait()
        assert seen["section"] == "intro" and seen["user"] == MOD and seen["can_manage"] is True
        response = seen["callback"]
        assert isinstance(response, discord.InteractionCallbackResponse)
        assert response.message_id == fake.interaction(payload).original_message_id
        assert isinstance(response.resource, discord.InteractionMessage) and response.resource.content == "hi"
        followup = fake.calls_to(f"/webhooks/1000/{payload['token']}", "POST")
        assert len(followup) == 1 and followup[0].json_body["content"] == "more"
        assert isinstance(seen["followup"], discord.WebhookMessage) and seen["followup"].content == "more"

        done.clear()
        deferred = fake.slash_interaction("slow", [], PLAIN, GENERAL)
        await fake.dispatch("INTERACTION_CREATE", deferred)
        async with asyncio.timeout(5):
            await done.wait()
        defer_call = fake.calls_to(f"/interactions/{deferred['id']}/", "POST")[0]
        assert defer_call.json_body == {"type": 5, "data": {"flags": 64}}
        edit = fake.calls_to(f"/webhooks/1000/{deferred['token']}/messages/@original", "PATCH")
        assert len(edit) == 1 and edit[0].json_body["content"] == "done"
        assert isinstance(seen["edited"], discord.InteractionMessage) and seen["edited"].content == "done"
        original = fake.message(fake.interaction(deferred).original_message_id or 0)
        assert original is not None and original["content"] == "done" and original["flags"] == 64

        auto = fake.autocomplete_interaction("read", [{"name": "section", "value": "int"}], "section", PLAIN, GENERAL)
        await fake.dispatch("INTERACTION_CREATE", auto)
        choices = await fake.wait_for_call(f"/interactions/{auto['id']}/", "POST")
        assert choices.json_body == {"type": 8, "data": {"choices": [{"name": "int-1", "value": "int-1"}]}}
        assert fake.unknown_calls == []


async def test_persistent_view_button_callback(fake: FakeDiscord) -> None:
    client = commands.Bot(command_prefix="!", intents=make_intents(), guild_ready_timeout=0.05)
    clicks: list[int] = []

    class Pager(discord.ui.View):
        def __init__(self) -> None:
            super().__init__(timeout=None)

        @discord.ui.button(label="Next", custom_id="article:next")
        async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
            clicks.append(interaction.user.id)
            await interaction.response.edit_message(content="page 2")

    client.add_view(Pager())
    async with running(client, fake):
        channel = client.get_channel(GENERAL)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("page 1", view=Pager())
        assert fake.message(sent.id)["components"][0]["components"][0]["custom_id"] == "article:next"  # type: ignore[index]

        payload = fake.component_interaction("article:next", PLAIN, GENERAL, sent.id)
        await fake.dispatch("INTERACTION_CREATE", payload)
        callback = await fake.wait_for_call(f"/interactions/{payload['id']}/", "POST")
        assert clicks == [PLAIN]
        assert callback.json_body["type"] == 7 and callback.json_body["data"]["content"] == "page 2"
        assert fake.message(sent.id)["content"] == "page 2"  # type: ignore[index]


async def test_messages_allowed_mentions_replies_and_files(fake: FakeDiscord) -> None:
    client = make_client()
    inbox: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        await inbox.put(message)

    async with running(client, fake):
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(GENERAL, PLAIN, f"hello <@{MOD}>"))
        message = await asyncio.wait_for(inbox.get(), 5)
        assert message.content == f"hello <@{MOD}>"
        assert isinstance(message.author, discord.Member) and message.author.id == PLAIN
        assert [m.id for m in message.mentions] == [MOD]
        assert message.guild is not None and message.guild.id == GUILD

        sent = await message.channel.send("x", allowed_mentions=discord.AllowedMentions.none())
        call = fake.calls_to(f"/channels/{GENERAL}/messages", "POST")[-1]
        assert call.json_body["allowed_mentions"] == {"parse": []}
        assert sent.content == "x" and fake.message(sent.id) is not None

        reply = await message.reply("re", mention_author=False)
        assert reply.reference is not None and reply.reference.message_id == message.id
        assert fake.message(reply.id)["referenced_message"]["id"] == str(message.id)  # type: ignore[index]

        await message.channel.send("file", file=discord.File(io.BytesIO(b"article bytes"), filename="a.txt"))
        upload = fake.calls_to(f"/channels/{GENERAL}/messages", "POST")[-1]
        assert upload.files == [("a.txt", b"article bytes")]
        assert upload.json_body["content"] == "file"
        assert fake.attachment_bytes("a.txt") == [b"article bytes"]

        # a user's attachment is downloadable by the bot, and a user reply points at the bot message
        incoming = fake.message_create(
            GENERAL, MOD, "see file", attachments=[("in.txt", b"incoming")], referenced_message=sent.id
        )
        await fake.dispatch("MESSAGE_CREATE", incoming)
        with_file = await asyncio.wait_for(inbox.get(), 5)
        assert await with_file.attachments[0].read() == b"incoming"
        assert with_file.reference is not None and with_file.reference.message_id == sent.id

        # echo_own_messages: the bot's own REST messages come back as MESSAGE_CREATE, like on Discord
        fake.echo_own_messages = True
        echoed = await message.channel.send("echo")
        own = await asyncio.wait_for(inbox.get(), 5)
        assert own.id == echoed.id and own.author == client.user


async def test_dropped_connection_resumes_and_replays_missed_dispatches(fake: FakeDiscord) -> None:
    client = make_client()
    inbox: asyncio.Queue[str] = asyncio.Queue()
    resumed = asyncio.Event()

    @client.event
    async def on_message(message: discord.Message) -> None:
        await inbox.put(message.content)

    @client.event
    async def on_resumed() -> None:
        resumed.set()

    async with running(client, fake):
        fake.hold_gateway()  # the client's reconnect gets no HELLO until released
        await fake.drop_connection()  # no close frame: the client sees 1006
        seq = await fake.dispatch("MESSAGE_CREATE", fake.message_create(GENERAL, PLAIN, "while away"))
        await asyncio.sleep(0.05)
        assert inbox.empty()
        fake.release_gateway()
        await fake.wait_for_resume()
        assert await asyncio.wait_for(inbox.get(), 5) == "while away"
        replayed = [p for p in fake.gateway.connections[1].sent if p.get("s") == seq]
        assert replayed and replayed[0]["t"] == "MESSAGE_CREATE"
        async with asyncio.timeout(5):
            await resumed.wait()
        assert (fake.resume_count, fake.identify_count) == (1, 1)

        await fake.drop_connection(code=4000)  # a close frame the client may resume after
        await fake.wait_for_resume()
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(GENERAL, MOD, "after resume"))
        assert await asyncio.wait_for(inbox.get(), 5) == "after resume"
        assert (fake.resume_count, fake.identify_count) == (2, 1)


async def test_rest_errors_and_raw_gateway_protocol(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.url}/api/v10/users/@me", headers={"Authorization": "Bot wrong"}) as r:
            assert r.status == 401 and r.headers["Content-Type"] == "application/json"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with http.get(f"{fake.url}/api/v10/nope/123", headers=headers) as r:
            assert r.status == 404 and r.headers["Content-Type"] == "application/json"
            assert await r.json() == {"message": "404: Not Found", "code": 0}
        assert [c.path for c in fake.unknown_calls] == ["/nope/123"]

        # zlib-stream: binary frames of one zlib stream, each ending with the Z_SYNC_FLUSH marker
        inflate = zlib.decompressobj()
        async with http.ws_connect(f"{fake.ws_url}/?v=10&encoding=json&compress=zlib-stream") as ws:
            frame = await ws.receive_bytes()
            assert frame.endswith(b"\x00\x00\xff\xff")
            hello = json.loads(inflate.decompress(frame))
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
            await ws.send_json({"op": 2, "d": {"token": "bad", "intents": 0, "properties": {}}})
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004

        # RESUME of an unknown session -> op 9 with d=false
        async with http.ws_connect(f"{fake.ws_url}/?v=10&encoding=json") as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 6, "d": {"token": fake.token, "session_id": "nope", "seq": 3}})
            assert await ws.receive_json() == {"op": 9, "d": False, "s": None, "t": None}

    client = discord.Client(intents=make_intents())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()


async def test_auto_sharded_client_uses_gateway_bot(fake: FakeDiscord) -> None:
    client = discord.AutoShardedClient(intents=make_intents(), guild_ready_timeout=0.05)
    async with running(client, fake):
        assert fake.calls_to("/gateway/bot", "GET")
        assert fake.gateway.identify_payloads[0]["shard"] == [0, 1]
        guild = client.get_guild(GUILD)
        assert guild is not None and guild.get_member(MOD) is not None


async def _until(check: Callable[[], object], seconds: float = 5.0) -> None:
    """Poll client-side state (e.g. `client.is_ready()`, which has nothing awaitable before login)."""
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
