"""The Discord adapter end to end: real discord.py and a real core on SQLite, against the fake Discord."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.commands.registry import REGISTRY
from bot.records import Status
from tests.discord_harness import (
    ADMIN,
    BOT,
    EPHEMERAL,
    GENERAL,
    GUILD,
    MOD,
    PLAIN,
    READING,
    World,
    button,
    buttons,
    discord_world,
    flags,
    message_bodies,
    new_adapter,
    plain,
    replies_to,
    settings_for,
    text,
    texts,
    with_attachment,
)
from tests.fakes.discord_payloads import MANAGE_MESSAGES

MESSAGE_CONTENT_INTENT = 1 << 15


def option(name: str, value: object, **extra: object) -> dict[str, object]:
    return {"name": name, "value": value, **extra}


async def open_section(world: World, number: int, user: int = PLAIN, channel: int = GENERAL) -> int:
    """Shows a section by slash command; the id of the message showing it."""
    calls = await world.slash("section", [option("section", str(number))], user, channel)
    return world.original(calls)


# ---- start ------------------------------------------------------------------------------------------


async def test_start_syncs_every_command_to_the_guild_with_typed_options(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with discord_world(tmp_path) as world:
        fake = world.fake
        assert world.adapter.client is not None and world.adapter.client.is_ready()
        synced = {c["name"]: c for c in fake.commands(GUILD)}
        assert set(synced) == {spec.name for spec in REGISTRY.all()}
        assert fake.commands() == []  # guild sync only, nothing global
        options = {name: {o["name"]: o for o in c["options"]} for name, c in synced.items()}
        assert options["section"]["section"] == {
            "type": 3, "name": "section", "description": "number or words from the heading", "required": True,
            "autocomplete": True, "description_localizations": {"zh-CN": "编号或标题中的词"},
        }
        for command in synced.values():  # every command and option also reads in Chinese
            assert 0 < len(command["description_localizations"]["zh-CN"]) <= 100
            assert all(o["description_localizations"]["zh-CN"] for o in command["options"])
        assert options["article"]["article"]["autocomplete"] is True
        assert options["ban"]["user"]["type"] == 6 and options["ban"]["duration"]["type"] == 3
        assert options["modlog"]["count"]["type"] == 4
        assert options["import"]["file"]["type"] == 11 and options["import"]["file"]["required"] is True
        assert [c["value"] for c in options["export"]["format"]["choices"]] == ["json", "csv", "md"]
        for command in synced.values():
            assert 0 < len(command["description"]) <= 100
            required = [o["required"] for o in command["options"]]
            assert required == sorted(required, reverse=True)  # Discord wants required options first
            assert all(0 < len(o["description"]) <= 100 for o in command["options"])
        assert fake.intents is not None and fake.intents & MESSAGE_CONTENT_INTENT
    assert "text commands are available" in caplog.text
    assert fake.token not in caplog.text


async def test_without_guild_ids_commands_are_synced_globally(tmp_path: Path) -> None:
    async with discord_world(tmp_path, settings=lambda fake: settings_for(fake, discord_guild_ids=())) as world:
        assert {c["name"] for c in world.fake.commands()} == {spec.name for spec in REGISTRY.all()}
        assert world.fake.commands(GUILD) == []


async def test_a_rejected_token_ends_the_adapter_without_showing_the_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "WRONG.TOKEN.VALUE"
    async with discord_world(tmp_path, settings=lambda fake: settings_for(fake, discord_bot_token=wrong)) as world:
        async with asyncio.timeout(5):
            await world.adapter.wait_closed()
        assert world.fake.identify_count == 0
        await world.adapter.stop()
        await world.adapter.stop()  # safe twice
    assert "Discord rejected DISCORD_BOT_TOKEN" in caplog.text
    assert wrong not in caplog.text


async def test_without_the_message_content_intent_it_reconnects_and_slash_commands_work(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with discord_world(tmp_path, fake_options={"allow_privileged_intents": False}) as world:
        assert world.adapter.client is not None and world.adapter.client.is_ready()
        assert world.fake.intents is not None and not world.fake.intents & MESSAGE_CONTENT_INTENT
        calls = await world.slash("sections")
        assert "Cost of Living" in plain(calls)
    assert "slash commands still work fully" in caplog.text
    assert "text commands are NOT available" in caplog.text


# ---- reading --------------------------------------------------------------------------------------


async def test_sections_section_autocomplete_and_the_next_button(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        contents = await world.slash("sections")
        assert flags(contents) == [0]  # reading replies are public
        assert "Cost of Living" in plain(contents) and "Technological Integration" in plain(contents)

        calls = await world.slash("section", [option("section", "2")])
        assert flags(calls) == [0]
        assert "Cost of Living" in plain(calls) and "cost of living in China" in plain(calls)
        ids = [b["custom_id"] for b in buttons(calls)]
        assert ids and all(i.startswith("ab:") and len(i) <= 100 for i in ids)
        assert all(len(b["label"]) <= 80 for b in buttons(calls))

        auto = world.fake.autocomplete_interaction("section", [option("section", "cost")], "section", PLAIN, GENERAL)
        answer = (await world.interact(auto))[0].json_body
        assert answer == {"type": 8, "data": {"choices": [{"name": "2. Cost of Living", "value": "2"}]}}
        everything = world.fake.autocomplete_interaction("section", [option("section", "")], "section")
        choices = (await world.interact(everything))[0].json_body["data"]["choices"]
        assert [c["value"] for c in choices] == ["1", "2", "3", "4", "5", "6"]

        pressed = await world.press(button(calls, "Next ▶"), world.original(calls))
        assert pressed[0].json_body["type"] == 4 and flags(pressed) == [0]  # a new, public message
        assert "Technological Integration" in plain(pressed)
        assert "Cost of Living" not in plain(pressed)


async def test_buttons_sent_before_a_restart_still_work(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        shown = await world.slash("section", [option("section", "4")])
        await world.adapter.stop()
        async with asyncio.timeout(5):
            await world.adapter.wait_closed()
        world.adapter = new_adapter(world.core, settings_for(world.fake))
        await world.adapter.start()
        assert world.fake.identify_count == 2
        pressed = await world.press(button(shown, "◀ Previous"), world.original(shown))
        assert "Technological Integration" in plain(pressed) and flags(pressed) == [0]


async def test_article_autocomplete_lists_the_stored_articles(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        auto = world.fake.autocomplete_interaction("article", [option("article", "migration")], "article")
        choices = (await world.interact(auto))[0].json_body["data"]["choices"]
        assert len(choices) == 1 and choices[0]["value"] == "1"
        assert choices[0]["name"].startswith("1. The Great Migration") and len(choices[0]["name"]) <= 100


async def test_foreign_and_forged_presses_get_a_short_private_notice(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        shown = await world.slash("section", [option("section", "2")])
        foreign = await world.press("someone-else:1", world.original(shown))
        assert flags(foreign) == [EPHEMERAL] and "no longer valid" in plain(foreign)

        row = {"type": 1, "components": [{"type": 2, "style": 2, "label": "x", "custom_id": "ab:s:999:zz"}]}
        forged = world.fake.state.store_message(GENERAL, BOT, "old", components=[row])
        answer = await world.press("ab:s:999:zz", int(forged["id"]))
        assert flags(answer) == [EPHEMERAL] and "no longer reading" in plain(answer)


# ---- discussing -----------------------------------------------------------------------------------


async def test_comments_by_slash_and_by_replying_to_the_section(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        section_message = await open_section(world, 2)
        saved = await world.slash("comment", [option("text", "I agree")])
        assert "Saved as #1" in plain(saved) and flags(saved) == [0]

        replies = await world.say("Rent is cheaper there", MOD, referenced_message=section_message)
        assert "Saved as #2" in plain(replies)
        assert all(r.json_body["allowed_mentions"] == {"parse": []} for r in replies)

        key = (await world.article()).sections[1].key
        on_section = await world.comments(section_key=key)
        assert sorted((c.number, c.text, c.author_key) for c in on_section) == [
            (1, "I agree", f"discord:{PLAIN}"), (2, "Rent is cheaper there", f"discord:{MOD}")]

        listing = text(await world.slash("comments"))
        assert "I agree" in listing and "Rent is cheaper there" in listing


async def test_replies_to_others_and_messages_from_bots_are_not_comments(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        section_message = await open_section(world, 2)
        world.fake.add_user(7000, "otherbot", bot=True)
        human = world.fake.message_create(GENERAL, MOD, "hello")
        ignored = [
            world.fake.message_create(GENERAL, 7000, "bot reply", referenced_message=section_message),
            world.fake.message_create(GENERAL, BOT, "own reply", referenced_message=section_message),
            world.fake.message_create(GENERAL, PLAIN, "chat reply", referenced_message=int(human["id"])),
            world.fake.message_create(GENERAL, PLAIN, "!important, not a command"),
        ]
        for payload in ignored:
            await world.fake.dispatch("MESSAGE_CREATE", payload)
        # events are handled in order; a later reply that is answered marks the earlier ones done
        await world.say("a real comment", PLAIN, referenced_message=section_message)
        assert [c.text for c in await world.comments()] == ["a real comment"]
        assert not [c for c in world.fake.calls for p in ignored if replies_to(c, p["id"])]


async def test_mentions_never_ping_and_show_escaped(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await open_section(world, 1)
        loud = f"@everyone <@&4001> <@{PLAIN}> *bold* hi"
        await world.slash("comment", [option("text", loud)])
        await world.say(f"!comment {loud}", MOD)
        listing = await world.slash("comments")
        shown = text(listing)
        assert "\\<@&4001\\>" in shown and f"\\<@{PLAIN}\\>" in shown and "\\*bold\\*" in shown
        assert "<@&4001>" not in shown.replace("\\<@&4001\\>", "")
        assert [c.text for c in await world.comments()] == [loud, loud]  # stored as written
        sent = message_bodies(world.fake.calls)
        assert len(sent) >= 4
        assert all(body.get("allowed_mentions") == {"parse": []} for body in sent)


async def test_a_long_comment_is_listed_in_pieces_under_2000_characters(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await open_section(world, 3)
        for n in range(10):
            await world.slash("comment", [option("text", f"short {n}")])
        words = [f"w{i:05d}" for i in range(1430)]
        long = " ".join(words)
        assert len(long) >= 10_000
        await world.slash("comment", [option("text", long)])
        listing = await world.slash("comments")
        pieces = texts(listing)
        assert len(pieces) >= 5 and all(len(p) <= 2000 for p in pieces)
        joined = " ".join(pieces)
        assert all(word in joined for word in words)
        # ten a page: the "More" button sits on the last piece only
        bodies = message_bodies(listing)
        assert [bool(b.get("components")) for b in bodies] == [False] * (len(bodies) - 1) + [True]
        assert button(listing, "More ▶").startswith("ab:c:")


# ---- moderating -----------------------------------------------------------------------------------


async def test_remove_is_refused_to_members_and_done_for_mods(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await open_section(world, 2)
        await world.slash("comment", [option("text", "spam spam")])

        refused = await world.slash("remove", [option("comment", "#1")], PLAIN)
        assert flags(refused) == [EPHEMERAL] and "Only admins" in plain(refused)
        assert [c.status for c in await world.comments()] == [Status.VISIBLE]

        done = await world.slash("remove", [option("comment", "1")], MOD)
        assert flags(done) == [EPHEMERAL] and "Removed #1" in plain(done)
        assert [c.status for c in await world.comments()] == [Status.REMOVED]


async def test_a_channel_override_makes_a_member_a_moderator_in_that_channel_only(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await world.fake.set_overwrite(READING, PLAIN, allow=MANAGE_MESSAGES, type=1)
        for channel in (GENERAL, READING):
            await open_section(world, 1, MOD, channel)
            await world.slash("comment", [option("text", "off topic")], MOD, channel)
        assert "Only admins" in plain(await world.slash("remove", [option("comment", "#1")], PLAIN, GENERAL))
        assert "Removed #1" in plain(await world.slash("remove", [option("comment", "#1")], PLAIN, READING))
        assert [c.status for c in await world.comments(GENERAL)] == [Status.VISIBLE]
        assert [c.status for c in await world.comments(READING)] == [Status.REMOVED]


async def test_in_a_dm_nobody_is_a_chat_admin(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        dm = world.fake.state.open_dm(ADMIN)
        calls = await world.slash("pending", [], ADMIN, dm.id, guild_id=None)
        assert flags(calls) == [EPHEMERAL] and "Only admins" in plain(calls)
        assert "Cost of Living" in plain(await world.slash("sections", [], ADMIN, dm.id, guild_id=None))


async def test_ban_by_user_option_is_stored_with_the_discord_key(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        calls = await world.slash("ban", [option("user", PLAIN, type=6), option("reason", "rude")], ADMIN)
        assert flags(calls) == [EPHEMERAL] and "member" in plain(calls)
        ban = await world.store.active_ban(f"discord:{GENERAL}", f"discord:{PLAIN}", 1e12 - 1)
        assert ban is not None and ban.reason == "rude"


# ---- import / export ------------------------------------------------------------------------------


ARTICLE_MD = b"""# Night Trains

By A. Writer

Why sleeper trains are back.

## Comfort

Beds, not seats.

## Cost

Cheaper than a hotel plus a flight.
"""


async def test_import_by_attachment_and_export_as_a_file(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        payload = world.fake.slash_interaction("import", [option("file", "0")], ADMIN, GENERAL)
        calls = await world.interact(with_attachment(world.fake, payload, "file", "trains.md", ARTICLE_MD))
        assert "Imported “Night Trains”" in plain(calls)
        assert [a.title for a in await world.store.list_articles()][-1] == "Night Trains"

        await world.slash("section", [option("section", "cost")])
        await world.slash("comment", [option("text", "Sleeper beds win")])
        exported = await world.slash("export", [option("format", "md")], ADMIN)
        callback = exported[0]
        assert flags(exported) == [EPHEMERAL]
        assert len(callback.files) == 1 and callback.files[0][0].endswith(".md")
        assert b"Sleeper beds win" in callback.files[0][1] and b"Night Trains" in callback.files[0][1]


async def test_text_import_uses_the_messages_attachment(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        replies = await world.say("!import", ADMIN, attachments=[("trains.md", ARTICLE_MD)])
        assert "Imported “Night Trains”" in plain(replies)
        refused = await world.say("!import", PLAIN, attachments=[("other.md", ARTICLE_MD)])
        assert "Only admins" in plain(refused)
        assert len(await world.store.list_articles()) == 2


# ---- text commands --------------------------------------------------------------------------------


async def test_text_commands_with_the_prefix(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        shown = await world.say("!section 2")
        assert "Cost of Living" in plain(shown) and buttons(shown)
        assert shown[0].json_body["message_reference"]["message_id"] is not None

        # a reply to the section the text command showed is a comment on it
        section_message = int(shown[0].response["id"])
        await world.say("cheap rent", PLAIN, referenced_message=section_message)
        key = (await world.article()).sections[1].key
        assert [c.text for c in await world.comments(section_key=key)] == ["cheap rent"]

        # a mention becomes the user's key; a reply to someone's message names them
        purged = await world.say(f"!purge <@{PLAIN}>", MOD)
        assert "Removed 1 comment by member" in plain(purged)
        victim = world.fake.message_create(GENERAL, PLAIN, "lol")
        banned = await world.say("!ban 2h spamming", MOD, referenced_message=int(victim["id"]))
        assert "member" in plain(banned) and "2 hours" in plain(banned)
        assert await world.store.active_ban(f"discord:{GENERAL}", f"discord:{PLAIN}", 0) is not None
        # private replies to text commands are ordinary replies in the channel
        assert "Only admins" in plain(await world.say("!unban <@5002>", PLAIN))


# ---- resilience -----------------------------------------------------------------------------------


async def test_after_a_dropped_gateway_it_resumes_and_a_replayed_comment_is_stored_once(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        section_message = await open_section(world, 2)
        fake.hold_gateway()
        await fake.drop_connection()
        comment = fake.message_create(GENERAL, PLAIN, "said while you were away", referenced_message=section_message)
        await fake.dispatch("MESSAGE_CREATE", comment)  # queued: arrives with the RESUME replay
        fake.release_gateway()
        await fake.wait_for_resume()
        await fake.wait_for(lambda c: replies_to(c, comment["id"]))
        await world.adapter.dispatcher.idle()
        again = await world.deliver(comment)  # the same message delivered once more
        assert "#1" in plain(again)
        assert [c.text for c in await world.comments()] == ["said while you were away"]
        assert (fake.resume_count, fake.identify_count) == (1, 1)
        assert "Cost of Living" in plain(await world.slash("sections"))


async def test_a_failing_rest_call_does_not_stop_the_adapter(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        fake.fail_next("POST", "/callback", status=403)
        failed = await world.slash("sections")
        assert [c.status for c in failed if c.path.endswith("/callback")] == [403]
        assert "Cost of Living" in plain(await world.slash("sections"))

        fake.fail_next("POST", f"/channels/{GENERAL}/messages", status=403)
        message = fake.message_create(GENERAL, PLAIN, "!sections")
        await fake.dispatch("MESSAGE_CREATE", message)
        await fake.wait_for(lambda c: c.status == 403 and c.path == f"/channels/{GENERAL}/messages")
        await world.adapter.dispatcher.idle()
        assert "Technological Integration" in plain(await world.say("!section 3"))
    assert "could not send" in caplog.text


async def test_slow_answers_are_deferred_with_the_right_visibility(tmp_path: Path) -> None:
    async with discord_world(tmp_path, defer_after=0) as world:
        reading = await world.slash("section", [option("section", "2")])
        assert reading[0].json_body == {"type": 5}
        edit = [c for c in reading if c.method == "PATCH" and c.path.endswith("/messages/@original")]
        assert len(edit) == 1 and "Cost of Living" in edit[0].json_body["content"]
        assert edit[0].json_body["components"] and edit[0].json_body["allowed_mentions"] == {"parse": []}

        admin = await world.slash("pending", [], MOD)
        assert admin[0].json_body == {"type": 5, "data": {"flags": EPHEMERAL}}
        assert [c.method for c in admin[1:]] == ["PATCH"]

        # a reading command that fails: the public "thinking…" goes, the refusal is private
        failed = await world.slash("section", [option("section", "99")])
        assert failed[0].json_body == {"type": 5}
        assert [c.method for c in failed[1:]] == ["DELETE", "POST"]
        assert flags(failed) == [EPHEMERAL] and "no section 99" in plain(failed)
