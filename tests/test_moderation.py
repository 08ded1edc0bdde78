"""Moderation behaviour through the core, with an injected clock (no sleeps)."""

from __future__ import annotations

import csv
import io
import json

from bot.records import Status
from bot.types import Attachment
from tests.support import DEMO, Harness, buttons_of, text_of


async def setup(h: Harness) -> None:
    h.admin("boss")
    await h.say("ann", "/section 2")
    await h.say("ann", "/comment a fine comment")


async def test_remove_and_restore_are_logged_with_the_text(harness: Harness) -> None:
    await setup(harness)
    assert "Removed #1" in await harness.say("boss", "/remove #1 off topic")
    assert "a fine comment" not in await harness.say("bob", "/comments")
    log = await harness.say("boss", "/modlog")
    assert "remove #1 · off topic" in log and "before: a fine comment" in log
    assert "Restored #1" in await harness.say("boss", "/restore 1")
    assert "a fine comment" in await harness.say("bob", "/comments")
    assert "There is no comment #5" in await harness.say("boss", "/remove #5")


async def test_reason_required_setting(harness: Harness) -> None:
    await setup(harness)
    await harness.say("boss", "/set reason_required on")
    assert "requires a reason" in await harness.say("boss", "/remove #1")
    assert "requires a reason" in await harness.say("boss", "/ban ann")
    assert "Removed #1" in await harness.say("boss", "/remove #1 spam")


async def test_purge_removes_all_of_a_users_comments_here_only(harness: Harness) -> None:
    await setup(harness)
    await harness.say("ann", "/comment second")
    await harness.say("ann", "/comment elsewhere", chat="test:other")
    assert "Removed 2 comments by Ann" in await harness.say("boss", "/purge ann")
    assert "No comments yet" in await harness.say("bob", "/comments")
    assert "elsewhere" in await harness.say("bob", "/comments", chat="test:other")


async def test_ban_with_duration_expires_and_is_logged(harness: Harness) -> None:
    await setup(harness)
    assert "banned from commenting here until" in await harness.say("boss", "/ban ann 2h spamming")
    refused = await harness.say("ann", "/comment let me in")
    assert "You are banned" in refused and "Reason: spamming" in refused and "in 2 hours" in refused
    assert await harness.store.comment("test:group", 2) is None
    harness.clock.advance(2 * 3600 + 1)
    assert "Saved as #2" in await harness.say("ann", "/comment back again")
    assert "ban expired" in await harness.say("boss", "/modlog")


async def test_ban_by_reply_permanent_and_unban(harness: Harness) -> None:
    await setup(harness)
    assert "permanently" in await harness.say("boss", "/ban rude words", target="ann")
    assert "Reason: rude words" in await harness.say("ann", "/comment hi")
    assert "can comment again" in await harness.say("boss", "/unban ann")
    assert "Saved" in await harness.say("ann", "/comment hi")
    assert "I don't know a user called “nobody”" in await harness.say("boss", "/ban nobody")
    assert "can't ban yourself" in await harness.say("boss", "/ban boss")


async def test_lock_section_and_whole_article(harness: Harness) -> None:
    await setup(harness)
    assert "closed" in await harness.say("boss", "/lock 2")
    assert "Commenting on §2 Cost of Living is closed" in await harness.say("ann", "/comment more")
    await harness.say("ann", "/section 3")
    assert "Saved" in await harness.say("ann", "/comment on three")
    await harness.say("boss", "/lock")
    assert "this article is closed" in await harness.say("ann", "/comment again")
    await harness.say("boss", "/unlock")
    await harness.say("boss", "/unlock 2")
    await harness.say("ann", "/section 2")
    assert "Saved" in await harness.say("ann", "/comment open again")


async def test_approval_queue_with_buttons(harness: Harness) -> None:
    await setup(harness)
    assert "wait for approval" in await harness.say("boss", "/approval on")
    assert "waiting for a moderator" in await harness.say("bob", "/comment please approve")
    assert "please approve" not in await harness.say("ann", "/comments")
    pending = await harness.send("boss", "/pending")
    assert "please approve" in text_of(pending)
    labels = [label for label, _ in buttons_of(pending)]
    assert labels == ["✅ Approve #2", "❌ Reject #2"]
    assert "Approved #2" in await harness.say("boss", "/approve #2")
    assert "please approve" in await harness.say("ann", "/comments")
    await harness.say("bob", "/comment rejected one")
    assert "Rejected #3" in await harness.say("boss", "/reject #3 spam")
    assert "rejected one" not in await harness.say("ann", "/comments")
    await harness.say("boss", "/approval off")
    assert "Saved as #4" in await harness.say("bob", "/comment straight through")


async def test_word_filter_block_and_hold_are_whole_word_and_unicode(harness: Harness) -> None:
    await setup(harness)
    await harness.say("boss", "/filter add spam block")
    await harness.say("boss", "/filter add Straße hold")
    await harness.say("boss", "/filter add (.*) block")  # a regex is just a word here
    assert "not allowed" in await harness.say("bob", "/comment this is SPAM!")
    assert "Saved" in await harness.say("bob", "/comment spammer is not the word")
    assert "waiting" in await harness.say("bob", "/comment die STRASSE ist lang")
    assert "Saved" in await harness.say("bob", "/comment anything goes")
    listing = await harness.say("boss", "/filter list")
    assert "spam — block" in listing and "Straße — hold" in listing
    assert "Only admins" in await harness.say("bob", "/filter list")
    assert "filter hold #" in await harness.say("boss", "/modlog")
    await harness.say("boss", "/filter remove spam")
    assert "Saved" in await harness.say("bob", "/comment spam now")


async def test_slowmode_tells_when_to_post_again(harness: Harness) -> None:
    await setup(harness)
    await harness.say("boss", "/slowmode 60")
    assert "Saved" in await harness.say("bob", "/comment one")
    harness.clock.advance(20)
    assert "again in 40 seconds" in await harness.say("bob", "/comment two")
    harness.clock.advance(41)
    assert "Saved" in await harness.say("bob", "/comment two")
    assert "Saved" in await harness.say("boss", "/comment admins are exempt")
    await harness.say("boss", "/slowmode off")
    assert "Saved" in await harness.say("bob", "/comment three")


async def test_three_reports_hide_a_comment_for_review(harness: Harness) -> None:
    await setup(harness)
    assert "can't report your own" in await harness.say("ann", "/report #1")
    assert "admins will see" in await harness.say("r1", "/report #1 rude")
    assert "already reported" in await harness.say("r1", "/report #1 rude")
    await harness.say("r2", "/report #1")
    assert "hidden until an admin" in await harness.say("r3", "/report #1")
    comment = await harness.store.comment("test:group", 1)
    assert comment is not None and comment.status is Status.PENDING
    assert "a fine comment" not in await harness.say("bob", "/comments")
    assert "a fine comment" in await harness.say("boss", "/pending")
    assert "report hold #1" in await harness.say("boss", "/modlog")
    await harness.say("boss", "/approve #1")
    assert "a fine comment" in await harness.say("bob", "/comments")


async def test_settings_show_and_change(harness: Harness) -> None:
    await setup(harness)
    assert "edit_window = 15" in await harness.say("ann", "/settings")
    assert "edit_window = 30" in await harness.say("boss", "/set edit_window 30")
    assert "There is no setting" in await harness.say("boss", "/set colour blue")
    assert "whole number from 1" in await harness.say("boss", "/set report_threshold 0")
    harness.clock.advance(20 * 60)
    assert "Saved as #1" in await harness.say("ann", "/edit #1 still editable")


async def test_export_formats(harness: Harness) -> None:
    await setup(harness)
    await harness.say("bob", "/reply #1 a reply with \"quotes\", commas\nand a newline")
    md = await harness.send("boss", "/export md")
    file = md.replies[0].file
    assert file is not None and file.filename.endswith(".md")
    text = file.content.decode()
    assert text.index("## Cost of Living") < text.index("> a fine comment") < text.index("## Technological")
    js = json.loads((await harness.send("boss", "/export json")).replies[0].file.content)  # type: ignore[union-attr]
    assert [c["text"] for c in js["comments"]] == ["a fine comment", "a reply with \"quotes\", commas\nand a newline"]
    raw = (await harness.send("boss", "/export csv")).replies[0].file.content.decode()  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert rows[1]["text"] == "a reply with \"quotes\", commas\nand a newline" and rows[1]["reply_to"] == "1"


async def test_import_by_attachment_keeps_comments_by_section_key(harness: Harness) -> None:
    await setup(harness)
    changed = DEMO.read_text().replace("Cost of Living\n", "Costs of Life\n").encode()
    harness.platform.files["f1"] = changed
    text = await harness.say("boss", "/import demo", attachment=Attachment("demo.txt", len(changed), "f1"))
    assert "Updated" in text and "cost-of-living" in text
    assert "Costs of Life" in await harness.say("ann", "/sections")
    assert "a fine comment" in await harness.say("ann", "/comments")
    harness.platform.files["bin"] = b"\x89PNG\r\n\x1a\n" + bytes(100)
    refused = await harness.say("boss", "/import", attachment=Attachment("pic.png", 108, "bin"))
    assert "PNG" in refused or "not an article" in refused
    assert len(await harness.store.list_articles()) == 1


async def test_the_word_filter_applies_to_edits_too(harness: Harness) -> None:
    harness.admin("boss")
    await harness.say("boss", "/filter add nasty block")
    await harness.say("boss", "/filter add rude hold")
    assert "Saved as #1" in await harness.say("ann", "/comment clean words")
    assert "not allowed in this chat; nothing changed" in await harness.say("ann", "/edit #1 now nasty words")
    assert "clean words" in await harness.say("bob", "/comments")
    assert "waiting for a moderator's approval" in await harness.say("ann", "/edit #1 now rude words")
    assert "No comments yet" in await harness.say("bob", "/comments")  # held: hidden until approved
    pending = await harness.say("boss", "/pending")
    assert "held by a word filter" in pending and "now rude words" in pending
