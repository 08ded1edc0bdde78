"""Commenting through the core: numbering, replies, paging, edits, deletes, idempotency, chats apart."""

from __future__ import annotations

from pathlib import Path

from bot.records import Status
from bot.types import Quote
from tests.support import Harness, buttons_of, text_of

HOSTILE = [
    "<b>&</b> <script>alert(1)</script> &amp; &lt;",
    "*_bold_* __u__ ~~s~~ ||spoiler|| `code` > quote",
    "@everyone @here <@&123> <@456>",
    "中文评论，很好。",
    "emoji 😀👍🏽👨‍👩‍👧 flags 🇺🇦",
    "مرحبا بالعالم — right to left",
    "x" * 5000,
]


async def test_comment_goes_to_the_open_section_and_is_numbered(harness: Harness) -> None:
    assert "Saved as #1 on the article" in await harness.say("ann", "/comment general thought")
    await harness.say("ann", "/section 2")
    text = await harness.say("ann", "/comment rent is cheap")
    assert "Saved as #2 on §2 Cost of Living" in text
    comment = await harness.store.comment("test:group", 2)
    assert comment is not None and comment.section_key == "cost-of-living" and comment.text == "rent is cheap"


async def test_hostile_text_is_stored_and_shown_verbatim(harness: Harness, tmp_path: Path) -> None:
    await harness.say("ann", "/section 3")
    for i, text in enumerate(HOSTILE, start=1):
        assert f"#{i}" in await harness.say("ann", f"/comment {text}")
    for i, text in enumerate(HOSTILE, start=1):
        stored = await harness.store.comment("test:group", i)
        assert stored is not None and stored.text == text
    shown = [b.text for r in (await harness.send("ann", "/comments 3")).replies for b in r.blocks
             if isinstance(b, Quote)]
    assert sorted(shown) == sorted(HOSTILE)


async def test_empty_and_oversized_comments_are_refused_and_nothing_stored(harness: Harness) -> None:
    assert "Write your comment after the command" in await harness.say("ann", "/comment    ")
    assert "the limit is 16,000" in await harness.say("ann", "/comment " + "y" * 16_001)
    assert "broken characters" in await harness.say("ann", "/comment bad \udc80 surrogate")
    assert await harness.store.comments("test:group", 1, None, [Status.VISIBLE], None, 10) == []


async def test_redelivered_message_makes_one_comment(harness: Harness) -> None:
    first = await harness.say("ann", "/comment once", message_id="tg-77")
    again = await harness.say("ann", "/comment once", message_id="tg-77")
    assert "#1" in first and "#1" in again
    assert await harness.store.comment("test:group", 2) is None


async def test_reply_by_command_and_by_replying_to_a_section(harness: Harness) -> None:
    await harness.say("ann", "/section 4")
    await harness.say("ann", "/comment jobs everywhere")
    text = await harness.say("bob", "/reply #1 not everywhere")
    assert "Saved as #2" in text and "reply to #1" in text
    await harness.say("cat", "/section 5")
    text = await harness.say("cat", "safety matters")  # a plain reply to the shown section
    assert "Saved as #3 on §5 Public Safety" in text
    text = await harness.say("dan", "agreed")  # a plain reply to the confirmation of #3
    assert "reply to #3" in text
    reply = await harness.store.comment("test:group", 4)
    assert reply is not None and reply.parent_number == 3 and reply.section_key == "public-safety"


async def test_reply_to_missing_comment_and_bad_numbers(harness: Harness) -> None:
    assert "There is no comment #9" in await harness.say("ann", "/reply #9 hi")
    assert "is not a comment number" in await harness.say("ann", "/reply #x hi")
    assert "Which comment?" in await harness.say("ann", "/reply")


async def test_comments_are_newest_first_ten_a_page_with_more(harness: Harness) -> None:
    await harness.say("ann", "/section 1")
    for i in range(1, 24):
        await harness.say("ann", f"/comment note {i}")
    page1 = await harness.send("bob", "/comments 1")
    quotes = [b.text for b in page1.replies[0].blocks if isinstance(b, Quote)]
    assert quotes == [f"note {i}" for i in range(23, 13, -1)]
    more = dict(buttons_of(page1))["More ▶"]
    page2 = await harness.press("bob", more)
    assert [b.text for b in page2.replies[0].blocks if isinstance(b, Quote)] == [
        f"note {i}" for i in range(13, 3, -1)]
    page3 = await harness.press("bob", dict(buttons_of(page2))["More ▶"])
    assert [b.text for b in page3.replies[0].blocks if isinstance(b, Quote)] == ["note 3", "note 2", "note 1"]
    assert [label for label, _ in buttons_of(page3)] == ["👍 #3", "👍 #2", "👍 #1"]  # the last page: no More


async def test_edit_keeps_history_within_the_window_only(harness: Harness) -> None:
    await harness.say("ann", "/comment first words")
    assert "You can only edit your own" in await harness.say("bob", "/edit #1 hijack")
    assert "Saved as #1" in await harness.say("ann", "/edit #1 better words")
    comment = await harness.store.comment("test:group", 1)
    assert comment is not None and comment.text == "better words" and comment.edited_at is not None
    assert [(b, a) for _, b, a in await harness.store.edits(comment.id)] == [("first words", "better words")]
    harness.clock.advance(16 * 60)
    assert "older than that" in await harness.say("ann", "/edit #1 too late")
    assert "older than that" in await harness.say("ann", "/delete #1")


async def test_delete_hides_own_comment(harness: Harness) -> None:
    await harness.say("ann", "/comment oops")
    assert "only delete your own" in await harness.say("bob", "/delete #1")
    assert "Deleted #1" in await harness.say("ann", "/delete #1")
    assert "No comments yet" in await harness.say("bob", "/comments")
    assert "There is no comment #1" in await harness.say("bob", "/reply #1 hm")


async def test_mycomments_lists_only_mine_in_this_chat(harness: Harness) -> None:
    await harness.say("ann", "/comment mine here")
    await harness.say("bob", "/comment his")
    await harness.say("ann", "/comment mine elsewhere", chat="test:other")
    text = await harness.say("ann", "/mycomments")
    assert "mine here" in text and "his" not in text and "elsewhere" not in text


async def test_each_chat_has_its_own_discussion_and_numbering(harness: Harness) -> None:
    assert "#1" in await harness.say("ann", "/comment in group A", chat="test:a")
    assert "#1" in await harness.say("ann", "/comment in group B", chat="test:b")
    assert "in group B" not in await harness.say("ann", "/comments", chat="test:a")
    assert "in group A" in await harness.say("ann", "/comments", chat="test:a")
    await harness.say("ann", "/section 1", chat="test:a")
    await harness.say("ann", "/comment on section one", chat="test:a")
    assert "💬 Comments (1)" in dict(buttons_of(await harness.send("bob", "/section 1", chat="test:a")))
    assert "💬 Comments (0)" in dict(buttons_of(await harness.send("bob", "/section 1", chat="test:b")))


async def test_everything_survives_a_restart(tmp_path: Path) -> None:
    first = await Harness.open(tmp_path / "keep.db")
    await first.say("ann", "/section 2")
    await first.say("ann", "/comment persistent 中文 <b>&")
    await first.close()
    second = await Harness.open(tmp_path / "keep.db")
    try:
        text = await second.say("bob", "/comments 2")
        assert "persistent 中文 <b>&" in text
        assert "Technological Integration" in text_of(await second.send("ann", "/next"))
        assert len(await second.store.list_articles()) == 1
    finally:
        await second.close()
