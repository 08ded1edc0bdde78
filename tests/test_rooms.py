"""Linked rooms on both stores: a one-time code from one room's admin lets another room's admin join its
discussion: one numbering, one set of comments, one article and one moderation; bans hold per room unless given
`everywhere`; a room leaves with a copy of the discussion so far."""

from __future__ import annotations

import asyncio
import re

from bot.records import Comment
from tests.support import Harness

HOME, OTHER = "test:group", "test:other"


async def linked(h: Harness) -> None:
    h.admin("boss", HOME)
    h.admin("sue", OTHER)
    said = await h.say("boss", "/link", HOME)
    code = re.search(r"/link ([A-Z0-9]{8})", said)
    assert code is not None, said
    assert "Linked" in await h.say("sue", f"/link {code[1]}", OTHER)


async def texts(h: Harness, chat: str) -> list[str]:
    comments: list[Comment] = await h.store.all_comments(chat, 0, 100)
    return [f"#{c.number} {c.text}" for c in comments]


async def test_two_linked_rooms_share_one_numbering_and_one_moderation(harness: Harness) -> None:
    await linked(harness)
    assert "Saved as #1" in await harness.say("ann", "/comment from the home room", HOME)
    assert "Saved as #2" in await harness.say("bob", "/comment from the other room", OTHER)
    listing = await harness.say("cat", "/comments", OTHER)
    assert "from the home room" in listing and "from the other room" in listing
    assert "Removed #1" in await harness.say("sue", "/remove #1 off topic", OTHER)  # a moderator of either room
    assert "from the home room" not in await harness.say("cat", "/comments", HOME)
    assert "remove #1" in await harness.say("boss", "/modlog", HOME)  # one modlog
    assert "room that gave the code" in await harness.say("bob", "/links", OTHER)
    assert "Only admins can link rooms." in await harness.say("bob", "/link", OTHER)


async def test_a_room_with_comments_cannot_join_and_codes_are_used_once(harness: Harness) -> None:
    harness.admin("boss", HOME)
    harness.admin("sue", OTHER)
    await harness.say("bob", "/comment my own room's comment", OTHER)
    code = re.search(r"([A-Z0-9]{8})", await harness.say("boss", "/link", HOME))
    assert code is not None
    assert "comments of its own" in await harness.say("sue", f"/link {code[1]}", OTHER)
    code = re.search(r"([A-Z0-9]{8})", await harness.say("boss", "/link", HOME))
    assert code is not None
    assert "not in the one it came from" in await harness.say("boss", f"/link {code[1]}", HOME)
    assert "not valid" in await harness.say("sue", f"/link {code[1]}", OTHER)  # used (refused) above
    harness.clock.advance(601)
    assert "not valid" in await harness.say("sue", "/link ABCDEFGH", OTHER)


async def test_bans_hold_in_their_room_unless_given_everywhere(harness: Harness) -> None:
    await linked(harness)
    await harness.say("cat", "/sections", OTHER)
    await harness.say("dan", "/sections", OTHER)
    await harness.say("sue", "/ban cat", OTHER)
    assert "banned" in await harness.say("cat", "/comment here", OTHER)
    assert "Saved as" in await harness.say("cat", "/comment but at home", HOME)
    await harness.say("sue", "/ban dan everywhere", OTHER)
    assert "banned" in await harness.say("dan", "/comment at home", HOME)
    assert "can comment again" in await harness.say("sue", "/unban cat", OTHER)
    assert "Saved as" in await harness.say("cat", "/comment here again", OTHER)


async def test_a_room_leaves_with_a_copy_of_the_discussion(harness: Harness) -> None:
    await linked(harness)
    await harness.say("ann", "/comment shared one", HOME)
    await harness.say("bob", "/comment shared two", OTHER)
    assert "own discussion again" in await harness.say("sue", "/unlink", OTHER)
    assert await texts(harness, OTHER) == ["#1 shared one", "#2 shared two"]
    await harness.say("ann", "/comment home only", HOME)
    assert "Saved as #3" in await harness.say("bob", "/comment other only", OTHER)  # its numbering goes on
    assert "home only" not in await harness.say("bob", "/comments", OTHER)
    assert "other only" not in await harness.say("ann", "/comments", HOME)
    assert "shares no other" in await harness.say("sue", "/unlink", OTHER)


async def test_a_telegram_group_and_a_discord_channel_share_one_discussion(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One `articlebot run` serving both platforms: linked with a code, a comment made in the Telegram group is
    #1 in the Discord channel's /comments (marked as from Telegram), the Discord one is #2, and a removal by the
    Discord moderator hides it in the Telegram group too."""
    from tests.both_platforms import TELEGRAM_MOD, both_platforms
    from tests.discord_harness import ADMIN, PLAIN

    ann = 12
    async with both_platforms(tmp_path) as both:
        code = re.search(r"/link ([A-Z0-9]{8})", await both.tg_say(TELEGRAM_MOD, "/link"))
        assert code is not None
        assert "Linked" in await both.dc_say("link", [{"name": "code", "value": code[1]}], ADMIN)
        assert "Saved as #1" in await both.tg_say(ann, "/comment written in the Telegram group")
        listing = await both.dc_say("comments", [], PLAIN)
        assert "written in the Telegram group" in listing and "✈️" in listing and "#1" in listing
        said = await both.dc_say("comment", [{"name": "text", "value": "written in the Discord channel"}], PLAIN)
        assert "Saved as #2" in said
        assert "written in the Discord channel" in await both.tg_say(ann, "/comments")
        assert "Removed #1" in await both.dc_say("remove", [{"name": "comment", "value": "#1"}], ADMIN)
        assert "written in the Telegram group" not in await both.tg_say(ann, "/comments")


async def test_a_room_linked_by_another_process_on_the_same_sqlite_file_is_seen_within_seconds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.caches import CHAT_ARTICLE_SECONDS

    path = tmp_path / "shared.db"
    a, b = await Harness.open(path), await Harness.open(path)  # as `articlebot run` and the console beside it
    try:
        assert await a.store.discussion_of(OTHER) == OTHER  # now kept in a's memory
        await linked(b)
        await asyncio.sleep(CHAT_ARTICLE_SECONDS)
        assert await a.store.discussion_of(OTHER) == HOME
        assert "Saved as #1" in await a.say("bob", "/comment through the other process", OTHER)
        assert "through the other process" in await b.say("cat", "/comments", HOME)
    finally:
        await a.close()
        await b.close()


async def test_a_reply_from_another_room_does_not_name_a_message_of_this_one(harness: Harness) -> None:
    """Telegram's confirmation of a reply answers the parent's own message, so its author is notified; from a
    linked room that message is in another chat, and its number may be an unrelated message here."""
    h = harness
    await linked(h)
    await h.send("ann", "/comment in the home room", HOME, message_id="500")
    here = await h.send("bob", "/reply #1 from the home room too", HOME, message_id="501")
    there = await h.send("cat", "/reply #1 from the other room", OTHER, message_id="502")
    assert here.replies[0].notify is not None and here.replies[0].notify.message_id == "500"
    assert there.replies[0].notify is not None and there.replies[0].notify.user_key == "test:ann"
    assert there.replies[0].notify.message_id is None


async def test_two_linked_rooms_may_both_have_a_message_500(harness: Harness) -> None:
    """Message numbers are per chat: the same number in two rooms is two comments, and each repeated delivery
    is still one."""
    h = harness
    await linked(h)
    assert "Saved as #1" in await h.say("ann", "/comment message 500 of the home room", HOME, message_id="500")
    assert "Saved as #2" in await h.say("bob", "/comment message 500 of the other room", OTHER, message_id="500")
    assert "Saved as #2" in await h.say("bob", "/comment message 500 of the other room", OTHER, message_id="500")
    assert "Saved as #1" in await h.say("ann", "/comment message 500 of the home room", HOME, message_id="500")
    assert await texts(h, HOME) == ["#1 message 500 of the home room", "#2 message 500 of the other room"]
    replied = await h.send("cat", "/reply #2 an answer in the other room", OTHER, message_id="501")
    assert replied.replies[0].notify is not None and replied.replies[0].notify.message_id == "500"
