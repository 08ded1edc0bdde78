"""Faults between the Discord adapter and Discord, injected through the fake: the bot recovers without a
restart, stores every comment once, answers it, and logs each fault at most once. And the bot token never
shows: not in any log record at any level (discord.py's included), not in a message, not in an error.

REST faults hit the answer to a comment (a `!comment` reply in the channel, or a `/comment` interaction
response): 429 with retry_after, a 500, a slow response, a connection reset. Gateway faults: a dropped
connection (abort or close code), a RECONNECT request, an invalidated session. Storage: a locked SQLite
database while a slash comment waits (the adapter defers the interaction and answers when it can).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import discord
import pytest

from tests.discord_harness import GENERAL, PLAIN, World, discord_world, message_bodies, plain, replies_to
from tests.fakes.discord_rest import (
    Call,
    FaultAction,
    connection_reset,
    rate_limited,
    server_error,
    slow,
    unknown_interaction,
)

OURS = ("articlebot", "discord")  # the bot's loggers and discord.py's (not the fake's, not aiohttp's server)


class Captured(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def loud(self) -> list[str]:
        """WARNING and above from the bot and discord.py."""
        return [f"{r.levelname} {r.name}: {r.getMessage()[:160]}" for r in self.records
                if r.levelno >= logging.WARNING and r.name.split(".")[0] in OURS]


@contextmanager
def captured(level: int = logging.WARNING) -> Iterator[Captured]:
    handler = Captured(level)
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    if level < root.getEffectiveLevel():
        root.setLevel(level)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def ok(calls: list[Call]) -> list[Call]:
    return [c for c in calls if 200 <= c.status < 300]


async def comment(world: World, how: str, text: str) -> list[Call]:
    """A comment by `/comment` or `!comment`; every REST call made answering it (once the bot is idle)."""
    if how == "slash":
        return await world.slash("comment", [{"name": "text", "value": text}])
    return await world.say(f"!comment {text}")


async def stored(world: World) -> list[str]:
    return sorted(c.text for c in await world.comments())


# ---- REST faults ------------------------------------------------------------------------------------

ANSWER_ROUTE = {"text": f"/channels/{GENERAL}/messages", "slash": "/callback"}
REST_FAULTS: dict[str, tuple[FaultAction, int]] = {
    # fault: (what the fake does, how many times the answer is attempted)
    "429 retry_after": (rate_limited(0.25), 2),
    "500": (server_error(500), 2),
    "slow response": (slow(1.0), 1),
    "connection reset": (connection_reset(), 2),
}


@pytest.mark.parametrize("how", ["text", "slash"])
@pytest.mark.parametrize("fault", list(REST_FAULTS))
async def test_a_rest_fault_on_the_answer_loses_nothing(tmp_path: Path, fault: str, how: str) -> None:
    action, attempts = REST_FAULTS[fault]
    async with discord_world(tmp_path) as world:
        hit = world.fake.rest.add_fault("POST", ANSWER_ROUTE[how], action)
        with captured() as log:
            calls = await comment(world, how, f"said during {fault}")
        assert hit.hits, "the fault was injected"
        assert await stored(world) == [f"said during {fault}"]
        answers = [c for c in calls if c.method == "POST" and ANSWER_ROUTE[how] in c.path]
        assert len(answers) == attempts and len(ok(answers)) == 1, answers
        assert "Saved as #1" in plain(ok(calls))
        assert len(log.loud()) <= 1, log.loud()
        # and the next comment, fault gone, is answered at once
        assert "Saved as #2" in plain(ok(await comment(world, how, "after the fault")))


async def test_an_interaction_answered_after_its_window_keeps_the_comment(tmp_path: Path) -> None:
    """Discord refuses an interaction response that arrives after 3 s (10062): the comment is kept, the
    failure is logged once, and the adapter goes on answering."""
    async with discord_world(tmp_path) as world:
        world.fake.rest.add_fault("POST", "/callback", slow(0.5, unknown_interaction()))
        with captured() as log:
            calls = await comment(world, "slash", "said too slowly")
        assert [c.status for c in calls] == [404]
        assert await stored(world) == ["said too slowly"]
        assert len(log.loud()) == 1 and "10062" in log.loud()[0], log.loud()
        assert "Saved as #2" in plain(ok(await comment(world, "slash", "in time")))


async def test_a_hanging_answer_does_not_hold_up_other_comments(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        hanging, release = asyncio.Event(), asyncio.Event()

        async def hang(request: object, call: Call) -> None:
            hanging.set()
            await release.wait()

        fake.rest.add_fault("POST", f"/channels/{GENERAL}/messages", hang)
        first = fake.message_create(GENERAL, PLAIN, "!comment slow one")
        with captured() as log:
            await fake.dispatch("MESSAGE_CREATE", first)
            async with asyncio.timeout(5):
                await hanging.wait()
            # answered while the first answer hangs (so no waiting for the adapter to be idle here)
            quick = fake.slash_interaction("comment", [{"name": "text", "value": "quick one"}])
            await fake.dispatch("INTERACTION_CREATE", quick)
            answer = await fake.wait_for(lambda c: f"/interactions/{quick['id']}/" in c.path)
            assert answer.status == 200 and "Saved as #2" in plain([answer])
            assert not [c for c in fake.calls if replies_to(c, first["id"])], "the slow answer is still pending"
            release.set()
            later = await fake.wait_for(lambda c: replies_to(c, first["id"]))
            await world.adapter.dispatcher.idle()
        assert later.status == 200 and "Saved as" in plain([later])
        assert await stored(world) == ["quick one", "slow one"]
        assert log.loud() == []


# ---- gateway faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize("drop", ["abort", "close 4000", "close 1001", "reconnect request"])
async def test_a_dropped_gateway_resumes_and_the_comment_sent_meanwhile_is_stored_once(
    tmp_path: Path, drop: str
) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        with captured() as log:
            fake.hold_gateway()
            if drop == "reconnect request":
                await fake.request_reconnect()
            else:
                await fake.drop_connection(None if drop == "abort" else int(drop.split()[1]))
            meanwhile = fake.message_create(GENERAL, PLAIN, "!comment said while you were away")
            await fake.dispatch("MESSAGE_CREATE", meanwhile)  # queued: arrives with the RESUME replay
            fake.release_gateway()
            await fake.wait_for_resume()
            await fake.wait_for(lambda c: replies_to(c, meanwhile["id"]))
            await world.adapter.dispatcher.idle()
            answers = await world.deliver(meanwhile)  # Discord may deliver it once more
            await world.adapter.dispatcher.idle()
        assert (fake.identify_count, fake.resume_count) == (1, 1)
        assert await stored(world) == ["said while you were away"]
        replies = [c for c in fake.calls if replies_to(c, meanwhile["id"])]
        assert len(replies) == 2 and all(c.status == 200 for c in replies) and "Saved as #1" in plain(answers)
        assert len(log.loud()) <= 1, log.loud()
        assert "Saved as #2" in plain(await comment(world, "slash", "after the resume"))


async def test_after_an_invalid_session_it_identifies_again_and_keeps_answering(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        with captured() as log:
            fake.hold_gateway()
            await fake.gateway.invalidate_session()
            fake.release_gateway()
            await fake.wait_ready(timeout=15)  # discord.py waits 5 s before identifying again
            after = await world.say("!comment after the new session")
        assert fake.identify_count == 2 and fake.resume_count == 0
        assert "Saved as #1" in plain(ok(after))
        assert "Saved as #2" in plain(ok(await comment(world, "slash", "by slash too")))
        assert await stored(world) == ["after the new session", "by slash too"]
        assert len(log.loud()) <= 1, log.loud()


async def test_a_comment_sent_while_the_session_was_invalid_is_not_lost(tmp_path: Path) -> None:
    """Discord replays nothing after an invalid session: a message sent in the gap is only in the channel's
    history. The bot must read it from there to lose no comment."""
    async with discord_world(tmp_path) as world:
        fake = world.fake
        fake.hold_gateway()
        await fake.gateway.invalidate_session()
        missed = fake.message_create(GENERAL, PLAIN, "!comment said in the gap")  # in the channel, not sent
        fake.release_gateway()
        await fake.wait_ready(timeout=15)
        await asyncio.wait_for(world.adapter.dispatcher.caught_up.wait(), 15)  # the new session read back
        await world.say("!comment after the new session")
        await world.adapter.dispatcher.idle()
        assert await stored(world) == ["after the new session", "said in the gap"]
        assert [c.status for c in fake.calls if replies_to(c, missed["id"])] == [200]


# ---- a locked database ------------------------------------------------------------------------------


async def test_a_locked_database_delays_a_comment_without_losing_it(tmp_path: Path) -> None:
    async with discord_world(tmp_path, defer_after=0.2) as world:
        fake = world.fake
        lock = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
        try:
            with captured() as log:
                lock.execute("BEGIN IMMEDIATE")  # another process writing: the bot's writes must wait
                payload = fake.slash_interaction("comment", [{"name": "text", "value": "said while locked"}])
                await fake.dispatch("INTERACTION_CREATE", payload)
                message = fake.message_create(GENERAL, PLAIN, "!comment also while locked")
                await fake.dispatch("MESSAGE_CREATE", message)
                deferral = await fake.wait_for(lambda c: f"/interactions/{payload['id']}/" in c.path)
                assert not [c for c in fake.calls if replies_to(c, message["id"])]
                lock.execute("COMMIT")
                edit = await fake.wait_for(lambda c: c.method == "PATCH" and payload["token"] in c.path)
                reply = await fake.wait_for(lambda c: replies_to(c, message["id"]))
                await world.adapter.dispatcher.idle()
        finally:
            if lock.in_transaction:
                lock.execute("ROLLBACK")
            lock.close()
        assert deferral.json_body == {"type": 5} and edit.status == 200 and reply.status == 200
        assert "Saved as #" in plain([edit]) and "Saved as #" in plain([reply])
        assert await stored(world) == ["also while locked", "said while locked"]
        assert len(log.loud()) <= 1, log.loud()


# ---- the token --------------------------------------------------------------------------------------

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.GsEcRt.Tk-s3cr3t_Value_0123456789abcdefXYZqrs"
SECRET = TOKEN.rsplit(".", 1)[1]


def formatted(record: logging.LogRecord) -> str:
    text = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    return f"{text} {record.msg!r} {record.args!r}"


async def test_the_token_never_appears_in_logs_messages_or_errors(tmp_path: Path) -> None:
    with captured(logging.DEBUG) as log:
        async with discord_world(tmp_path, fake_options={"token": TOKEN, "heartbeat_interval_ms": 100}) as world:
            fake = world.fake
            shown = await world.slash("section", [{"name": "section", "value": "2"}])
            next_button = next(b["custom_id"] for body in message_bodies(shown)
                               for row in body.get("components") or [] for b in row["components"]
                               if "Next" in b["label"])
            await world.press(next_button, world.original(shown))
            await comment(world, "slash", "a slash comment")
            await comment(world, "text", "a text comment")
            await world.slash("remove", [{"name": "comment", "value": "#1"}])  # refused: not an admin
            fake.fail_next("POST", f"/channels/{GENERAL}/messages", status=403)
            await world.say("!sections")
            fake.rest.add_fault("POST", "/callback", connection_reset())
            await world.slash("sections")  # the transport fails under discord.py
            fake.rest.add_fault("POST", f"/channels/{GENERAL}/messages", rate_limited(0.05))
            await world.say("!section 3")
            await fake.drop_connection()
            await fake.wait_for_resume()
            await comment(world, "text", "after the resume")
            assert world.adapter.client is not None
            with pytest.raises(discord.NotFound) as raised:
                await world.adapter.client.fetch_channel(999)
    error = raised.value
    exposed = "".join(traceback.format_exception(error)) + repr(error) + str(error.text) + repr(error.response)
    assert SECRET not in exposed
    lines = [formatted(r) for r in log.records]
    names = {r.name for r in log.records}
    assert len(lines) > 100 and {"discord.http", "discord.gateway", "articlebot.discord"} <= names
    assert any(r.levelno >= logging.WARNING for r in log.records if r.name == "articlebot.discord")
    leaks = [line[:300] for line in lines if TOKEN in line or SECRET in line]
    assert not leaks, leaks
    for call in fake.calls:
        sent = json.dumps([call.path, call.query, call.json_body]) + repr(call.files) + json.dumps(call.response)
        assert SECRET not in sent, call
        assert [k for k, v in call.headers.items() if SECRET in v] in ([], ["Authorization"]), call
    frames = [p for conn in fake.gateway.connections for p in conn.received]
    assert {p["op"] for p in frames if SECRET in json.dumps(p)} == {2, 6}  # IDENTIFY and RESUME only


# ---- sends that cannot hang or double -----------------------------------------------------------------


async def test_a_hung_send_times_out_and_its_retry_cannot_double_the_message(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.discord import send

    monkeypatch.setattr(send, "SEND_TIMEOUT", 0.5)  # 15 s in a deployment
    async with discord_world(tmp_path) as world:
        # Discord takes the message but answers too late: the bot gives up waiting and sends it again
        hit = world.fake.rest.add_fault("POST", f"/channels/{GENERAL}/messages", slow(1.0))
        calls = await world.say("!comment said while Discord hung")
        await asyncio.sleep(1.0)  # the first request finishes on Discord's side meanwhile
        posts = [c for c in world.fake.calls if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]
        assert hit.hits and len(posts) == 2  # sent twice, with one nonce
        bodies = [c.json_body for c in posts]
        assert bodies[0]["nonce"] == bodies[1]["nonce"] and all(b["enforce_nonce"] for b in bodies)
        saved = [m for m in world.fake.state.messages.values()
                 if "Saved as" in str(m.get("content")) and m["channel_id"] == str(GENERAL)]
        assert len(saved) == 1 and "Saved as" in plain(calls)  # one message in the channel
        assert await stored(world) == ["said while Discord hung"]


async def test_a_message_read_back_after_a_new_session_is_not_confirmed_twice(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        payload = world.fake.message_create(GENERAL, PLAIN, "!comment only once please")
        await world.deliver(payload)
        await world.fake.dispatch("MESSAGE_CREATE", payload)  # delivered again, as a catch-up would
        await world.adapter.dispatcher.idle()
        saved = [m for m in world.fake.state.messages.values() if "Saved as" in str(m.get("content"))]
        assert len(saved) == 1 and await stored(world) == ["only once please"]


async def test_a_server_error_discord_py_retries_is_logged_once_with_its_route(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        world.fake.rest.add_fault("POST", "/callback", server_error(502))
        with captured() as log:
            calls = await comment(world, "slash", "said during a 502")
        assert "Saved as #1" in plain(ok(calls))
        lines = [r.getMessage() for r in log.records if "HTTP 502" in r.getMessage()]
        assert len(lines) == 1 and "/interactions/" in lines[0] and "/callback" in lines[0]
        token = next(c.path for c in calls if c.path.endswith("/callback")).split("/")[3]
        assert token not in lines[0] and "***" in lines[0]  # the interaction's token is a credential
