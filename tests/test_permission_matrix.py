"""Generated from the command table: every admin command x four roles x two chats.

Members and admins of the other chat are refused and nothing stored changes; admins here and the bot
owner may act. A command added to the table is covered here without editing this file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.commands import REGISTRY
from tests.support import Harness, text_of

ADMIN_COMMANDS = sorted(spec.name for spec in REGISTRY.all() if spec.admin)
ROLES = ("member", "admin_of_other_chat", "admin_here", "owner")
CHATS = ("test:a", "test:b")
TABLES = ("articles", "sections", "chats", "comments", "section_counts", "comment_edits", "bans", "locks",
          "filters", "reports", "modlog", "reviews", "moderators", "codes", "room_links")
CHAT_COLUMN = {"chats": 0, "comments": 1, "section_counts": 0, "bans": 0, "locks": 0, "filters": 0, "modlog": 1,
               "reviews": 1, "moderators": 0, "codes": 2, "room_links": 0}


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def actor(role: str, chat: str) -> str:
    return {"member": "member", "admin_of_other_chat": "otheradmin", "admin_here": "boss",
            "owner": "owner"}[role]


def test_every_admin_command_is_in_the_matrix() -> None:
    assert {"remove", "restore", "purge", "ban", "unban", "lock", "unlock", "approval", "pending", "approve",
            "reject", "filter", "slowmode", "modlog", "export", "set", "import", "modqueue", "link",
            "unlink"} <= set(ADMIN_COMMANDS)


@pytest.mark.parametrize("chat", CHATS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ADMIN_COMMANDS)
async def test_admin_command_permissions(tmp_path: Path, name: str, role: str, chat: str) -> None:
    db = tmp_path / "matrix.db"
    h = await Harness.open(db)
    try:
        other = CHATS[1] if chat == CHATS[0] else CHATS[0]
        h.admin("boss", chat)
        h.admin("otheradmin", other)
        for c in CHATS:
            await h.say("member", "/section 2", chat=c)
            await h.say("member", "/comment hello from the member", chat=c)
            await h.say("writer", "/comment second comment", chat=c)
        spec = REGISTRY.get(name)
        assert spec is not None
        before = snapshot(db)
        text = await h.say(actor(role, chat), f"/{name} {spec.example}".strip(), chat=chat)
        after = snapshot(db)
        if role in ("member", "admin_of_other_chat"):
            assert text.startswith("Only admins can"), text
            assert after == before
        else:
            assert "Only admins" not in text, text
            for table, col in CHAT_COLUMN.items():
                mine = [r for r in before[table] if r[col] == other]
                assert mine == [r for r in after[table] if r[col] == other], f"/{name} touched {other}"
    finally:
        await h.close()


async def test_buttons_are_checked_again_when_pressed(harness: Harness) -> None:
    harness.admin("boss")
    await harness.say("boss", "/approval on")
    await harness.say("member", "/comment needs approval")
    pending = await harness.send("boss", "/pending")
    approve = next(b.data for r in pending.replies for row in r.buttons for b in row if "Approve" in b.label)
    refused = await harness.press("member", approve)
    assert "Only admins" in text_of(refused)
    comment = await harness.store.comment("test:group", 1)
    assert comment is not None and comment.status.value == "pending"
    assert "Approved #1" in text_of(await harness.press("boss", approve))
    # the same button pressed in another chat acts on that chat's #1, where boss is not admin
    assert "Only admins" in text_of(await harness.press("boss", approve, chat="test:elsewhere"))


@pytest.mark.parametrize("role", ROLES)
async def test_mod_queue_buttons_pressed_anywhere_act_only_for_admins_of_the_reviews_chat(
        tmp_path: Path, role: str) -> None:
    """A mod queue button names a stored review, not a chat: whoever presses it, wherever, must be an admin of
    the review's own chat at that moment."""
    db = tmp_path / "matrix.db"
    h = await Harness.open(db)
    try:
        h.admin("boss", CHATS[0])
        h.admin("otheradmin", CHATS[1])
        await h.say("boss", "/approval on", chat=CHATS[0])
        await h.say("member", "/comment needs approval", chat=CHATS[0])
        before = snapshot(db)
        who = actor(role, CHATS[0])
        text = text_of(await h.press(who, "rv:1:ok", chat=f"test:{who}", private=True))
        after = snapshot(db)
        comment = await h.store.comment(CHATS[0], 1)
        assert comment is not None
        if role in ("member", "admin_of_other_chat"):
            assert "Only the admins of that chat" in text and after == before
            assert comment.status.value == "pending"
        else:
            assert "Approved #1" in text and comment.status.value == "visible"
    finally:
        await h.close()
