"""Crashes at exact moments, not random ones: the bot (a real process against the fake Bot API) dies right
after an update is stored and before it is confirmed or handled, and right after it is handled and
answered but before it is marked done. Restarted, it stores the comment exactly once and answers it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.faults import FAULT_EXIT, POINTS
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_process import BotProcess, bot_env, stored_texts
from tests.test_telegram_process import GROUP, TOKEN, replies_to, wait_until


def open_updates(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM inbox WHERE done_at IS NULL").fetchone()[0])


@pytest.mark.parametrize("point", sorted(POINTS))
async def test_a_crash_at_each_fault_point_loses_and_doubles_nothing(tmp_path: Path, point: str) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        db = tmp_path / "fault.db"
        doomed = BotProcess(bot_env(fake.url, TOKEN, db, ARTICLEBOT_FAULT=point), tmp_path / "doomed.log")
        message = fake.push_message(GROUP, 1, "/comment exactly once")
        await doomed.start()
        assert doomed.proc is not None
        assert await doomed.proc.wait() == FAULT_EXIT  # it reached the point with this very update
        answered_before = len(replies_to(fake, message["message_id"]))
        assert open_updates(db) == 1  # stored, never marked: the inbox will hand it over again
        if point == "telegram-after-store":
            assert stored_texts(db, f"telegram:{GROUP}") == [] and answered_before == 0
        else:
            assert stored_texts(db, f"telegram:{GROUP}") == ["exactly once"] and answered_before == 1

        bot = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "bot.log")
        await bot.start()
        try:
            await wait_until(lambda: len(replies_to(fake, message["message_id"])) > answered_before, 60)
            await wait_until(lambda: open_updates(db) == 0, 30)
        finally:
            assert await bot.terminate() == 0
        assert stored_texts(db, f"telegram:{GROUP}") == ["exactly once"]
        assert all("Saved as #1" in r for r in replies_to(fake, message["message_id"]))
