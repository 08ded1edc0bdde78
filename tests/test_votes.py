"""Likes: one per person per comment, by command, by button and by reaction; banned people's likes and hidden
comments do not count; /comments top; the most discussed section. On both stores."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.actions import Verb, encode
from bot.types import Chat, Event, Notify, Reaction, User
from tests.discord_harness import ADMIN, GENERAL, GUILD, MOD, PLAIN, discord_world, plain, text
from tests.support import Harness, text_of
from tests.telegram_harness import telegram_rig, texts


async def setup(h: Harness) -> None:
    h.admin("boss")
    await h.say("ann", "/section 2")
    for words in ("first thought", "second thought", "third thought"):
        await h.say("ann", f"/comment {words}")


async def test_one_like_per_person_by_command_and_button(harness: Harness) -> None:
    await setup(harness)
    assert "You like #2 (1 like)" in await harness.say("bob", "/like #2")
    assert "You like #2 (1 like)" in await harness.say("bob", "/like 2")  # a second like changes nothing
    assert "(2 likes)" in await harness.say("cat", "/like #2")
    listing = await harness.send("dan", "/comments")
    assert "👍 2" in text_of(listing)
    assert ("👍 #2", encode(Verb.LIKE, 2)) in [(b.label, b.data) for r in listing.replies for row in r.buttons
                                              for b in row]
    pressed = await harness.press("dan", encode(Verb.LIKE, 2))
    assert pressed.notice is not None and "(3 likes)" in pressed.notice and pressed.replies[0].private
    again = await harness.press("dan", encode(Verb.LIKE, 2))  # the button takes it back
    assert again.notice is not None and "took back" in again.notice and "(2 likes left)" in again.notice
    assert "took back" in await harness.say("bob", "/unlike #2")


async def test_banned_likes_and_hidden_comments_do_not_count(harness: Harness) -> None:
    await setup(harness)
    await harness.say("bob", "/like #1")
    await harness.say("cat", "/like #1")
    await harness.say("boss", "/ban cat 1h")
    assert "👍 1" in await harness.say("dan", "/comments")  # cat's like is left out while cat is banned
    assert "banned" in await harness.say("cat", "/like #3")
    harness.clock.advance(3601)
    assert "👍 2" in await harness.say("dan", "/comments")  # the ban ran out: cat's like counts again
    await harness.say("boss", "/remove #1 rude")
    assert "There is no comment #1" in await harness.say("dan", "/like #1")
    assert "Nobody has liked" in await harness.say("dan", "/comments top")


async def test_comments_top_ranks_the_most_liked_first(harness: Harness) -> None:
    await setup(harness)
    for who in ("bob", "cat", "dan"):
        await harness.say(who, "/like #3")
    await harness.say("bob", "/like #1")
    top = await harness.say("eve", "/comments top")
    assert "Most liked" in top and top.index("third thought") < top.index("first thought")
    assert "second thought" not in top and "👍 3" in top


async def test_a_reaction_to_the_bots_message_likes_the_comment_it_shows(harness: Harness) -> None:
    await setup(harness)
    shown = harness.last_anchor["test:group"]  # the bot's confirmation of #3
    react = Event(User("test:bob", "Bob"), Chat("test:group"), Reaction(shown, True), message_id="r1")
    assert (await harness.core.handle(react, harness.platform)).replies == ()  # silent
    assert "👍 1" in await harness.say("dan", "/comments")
    take_back = Event(User("test:bob", "Bob"), Chat("test:group"), Reaction(shown, False), message_id="r2")
    await harness.core.handle(take_back, harness.platform)
    assert "👍" not in (await harness.say("dan", "/comments")).replace("👍 #", "")
    elsewhere = Event(User("test:bob", "Bob"), Chat("test:group"), Reaction("no-such-message", True), message_id="r3")
    assert (await harness.core.handle(elsewhere, harness.platform)).replies == ()


async def test_the_most_discussed_section_is_marked(harness: Harness) -> None:
    await setup(harness)
    await harness.say("bob", "/section 1")
    await harness.say("bob", "/comment one on the first")
    shown = await harness.say("eve", "/sections")
    assert "Cost of Living  · 💬 3  🔥" in shown and "🔥" not in shown.split("Cost of Living")[0]
    assert "Most discussed now: §2 Cost of Living" in await harness.say("eve", "/article")
    harness.clock.advance(4 * 86_400)
    assert "🔥" not in await harness.say("eve", "/sections")
    assert "three days" in await harness.say("eve", "/help sections")


# ---- through the real adapters ------------------------------------------------------------------------------


async def test_telegram_reactions_like_and_unlike_and_comments_top_shows_it_first(tmp_path: Path) -> None:
    ann, bob, cat = 101, 102, 104
    async with telegram_rig(tmp_path) as rig:
        await rig.say(ann, "/section 2")
        await rig.say(ann, "/comment rent is cheap")
        saved = await rig.say(ann, "/comment transit is great")
        confirmation = next(c.result for c in saved if c.method == "sendMessage")

        async def react(user: int, emoji: list[str]) -> None:
            await rig.push({"message_reaction": {
                "chat": confirmation["chat"], "message_id": confirmation["message_id"],
                "user": {"id": user, "is_bot": False, "first_name": f"U{user}"}, "date": 1_750_000_000,
                "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": e} for e in emoji]}})

        await react(bob, ["👍"])
        await react(cat, ["❤"])
        top = texts(await rig.say(ann, "/comments top"))
        assert top.index("transit is great") < top.index("Most liked") + 200 and "👍 2" in top
        assert "rent is cheap" not in top
        await react(cat, [])  # cat takes the reaction back
        assert "👍 1" in texts(await rig.say(ann, "/comments"))
        assert "message_reaction" in (rig.fake.calls_of("getUpdates")[-1].params.get("allowed_updates") or [])


async def test_discord_a_thumbs_up_on_the_bots_message_likes_the_comment(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        saved = await world.slash("comment", [{"name": "text", "value": "bikes everywhere"}])
        message_id = world.original(saved)

        async def react(kind: str, user: int, emoji: str) -> None:
            payload = {"user_id": str(user), "channel_id": str(GENERAL), "message_id": str(message_id),
                       "guild_id": str(GUILD), "emoji": {"id": None, "name": emoji}, "type": 0, "burst": False}
            if kind == "MESSAGE_REACTION_ADD":
                payload["member"] = fake.state.member_payload(user, GUILD)
            await fake.dispatch(kind, payload)
            await asyncio.sleep(0.2)
            await world.adapter.dispatcher.idle()

        await react("MESSAGE_REACTION_ADD", MOD, "👍")
        await react("MESSAGE_REACTION_ADD", ADMIN, "🎉")  # another emoji is just a reaction
        assert "👍 1" in plain(await world.slash("comments"))
        await react("MESSAGE_REACTION_REMOVE", MOD, "👍")
        assert "👍 1" not in plain(await world.slash("comments"))


# ---- replies that reach people --------------------------------------------------------------------------------


async def test_a_reply_reaches_its_parents_author_unless_they_opted_out(harness: Harness) -> None:
    await harness.say("ann", "/comment the first word", message_id="ann-msg-1")
    answered = await harness.send("bob", "/reply #1 I disagree")
    assert answered.replies[0].notify == Notify("test:ann", "ann-msg-1")
    assert (await harness.send("ann", "/reply #1 and myself")).replies[0].notify is None  # not one's own
    assert "no longer reach you" in await harness.say("ann", "/notify off")
    assert (await harness.send("cat", "/reply #1 me too")).replies[0].notify is None
    assert "reach you again" in await harness.say("ann", "/notify on")
    assert (await harness.send("cat", "/reply #1 me three")).replies[0].notify is not None


async def test_telegram_the_confirmation_replies_to_the_parents_message(tmp_path: Path) -> None:
    ann, bob = 101, 102
    async with telegram_rig(tmp_path) as rig:
        first = await rig.say(ann, "/comment rent is cheap")
        asked = next(c for c in first if c.method == "sendMessage").params["reply_parameters"]["message_id"]
        answered = [c for c in await rig.say(bob, "/reply #1 not everywhere") if c.method == "sendMessage"]
        assert answered[0].params["reply_parameters"]["message_id"] == asked  # ann's message: she is notified
        assert "Saved as #2" in texts(answered)


async def test_discord_a_reply_mentions_the_parents_author_and_nobody_else(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        first = world.fake.message_create(GENERAL, MOD, "!comment bikes everywhere")
        await world.deliver(first)
        reply = world.fake.message_create(GENERAL, ADMIN, "!reply #1 @everyone not in winter <@&4001>")
        await world.fake.dispatch("MESSAGE_CREATE", reply)
        sent = await world.fake.wait_for(lambda c: c.method == "POST" and isinstance(c.json_body, dict)
                                         and "reply to" in c.json_body.get("content", ""))
        body = sent.json_body
        assert body["content"].startswith(f"<@{MOD}> ")
        assert body["allowed_mentions"] == {"parse": [], "users": [MOD]}  # that one person: no roles, no everyone
        assert int(body["message_reference"]["message_id"]) == int(first["id"])  # a reply to MOD's message
        by_slash = await world.slash("reply", [{"name": "comment", "value": "#1"},
                                               {"name": "text", "value": "and trams"}], user=PLAIN)
        assert f"<@{MOD}>" in text(by_slash) and all(
            (c.json_body.get("data", c.json_body).get("allowed_mentions") or {}).get("parse") == []
            for c in by_slash if isinstance(c.json_body, dict) and c.method == "POST")
