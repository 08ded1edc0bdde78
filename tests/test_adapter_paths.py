"""Paths through the real adapters that had no test: "More" pressed to the last page of comments, and a
timed ban that ends, on Telegram and on Discord."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.discord_harness import ADMIN, PLAIN, discord_world, plain
from tests.discord_harness import button as discord_button
from tests.support import FakeClock
from tests.telegram_harness import OWNER, telegram_rig, texts
from tests.test_discord_adapter import option

ANN = 101
COUNT = 25  # two full pages of ten and a last one of five


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"#(\d+) ", text)]


def keyboard(message: dict[str, Any]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_more_on_telegram_reaches_the_last_page_once_each(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        for n in range(COUNT):
            await rig.say(ANN, f"/comment note {n}")
        calls = await rig.say(ANN, "/comments")
        seen = numbers(texts(calls))
        message = next(c.result for c in reversed(calls) if c.method == "sendMessage")
        pages = 1
        while "More ▶" in keyboard(message):
            pressed = await rig.press(ANN, keyboard(message)["More ▶"], message)
            seen += numbers(texts(pressed))
            message = next(c.result for c in reversed(pressed) if c.method in ("sendMessage", "editMessageText"))
            pages += 1
        assert pages == 3
        assert seen == list(range(COUNT, 0, -1))  # newest first, every comment once


async def test_more_on_discord_reaches_the_last_page_once_each(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        for n in range(COUNT):
            await world.slash("comment", [option("text", f"note {n}")])
        calls = await world.slash("comments")
        seen = numbers(plain(calls))
        pages = 1
        while True:
            try:
                more = discord_button(calls, "More ▶")
            except (KeyError, StopIteration, AssertionError):
                break
            calls = await world.press(more, world.original(calls))
            seen += numbers(plain(calls))
            pages += 1
        assert pages == 3
        assert seen == list(range(COUNT, 0, -1))


async def test_a_timed_ban_ends_on_telegram(tmp_path: Path) -> None:
    clock = FakeClock()
    async with telegram_rig(tmp_path, clock=clock) as rig:
        assert "Saved as #1" in texts(await rig.say(ANN, "/comment before"))
        assert "banned from commenting here" in texts(await rig.say(OWNER, f"/ban {ANN} 1h spamming"))
        refused = texts(await rig.say(ANN, "/comment during"))
        assert "banned" in refused.lower() and "spamming" in refused
        clock.advance(3601)
        assert "Saved as #2" in texts(await rig.say(ANN, "/comment after"))


async def test_a_timed_ban_ends_on_discord(tmp_path: Path) -> None:
    clock = FakeClock()
    async with discord_world(tmp_path, clock=clock) as world:
        assert "Saved as #1" in plain(await world.slash("comment", [option("text", "before")]))
        banned = await world.slash("ban", [option("user", PLAIN, type=6), option("duration", "1h"),
                                           option("reason", "spamming")], ADMIN)
        assert "banned from commenting here" in plain(banned)
        refused = plain(await world.slash("comment", [option("text", "during")]))
        assert "banned" in refused.lower() and "spamming" in refused
        clock.advance(3601)
        assert "Saved as #2" in plain(await world.slash("comment", [option("text", "after")]))
