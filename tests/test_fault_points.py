"""Crashes at exact moments, not random ones: the bot (a real process against the fake Bot API) dies right
after an update is stored and before it is handled, right after an update without an answer is handled but
before it is marked done, and right after an answer went out (and was recorded with the update). Restarted, it
stores the comment exactly once and answers it exactly once."""

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
        text = "a plain remark" if point == "telegram-after-effect" else "/comment exactly once"
        message = fake.push_message(GROUP, 1, text)  # a remark gets no answer: its update ends unanswered
        await doomed.start()
        assert doomed.proc is not None
        assert await doomed.proc.wait() == FAULT_EXIT  # it reached the point with this very update
        answered_before = len(replies_to(fake, message["message_id"]))
        if point == "telegram-after-answer":
            # the answer went out and was recorded with the update: nothing to replay, nothing said twice
            assert open_updates(db) == 0 and answered_before == 1
            assert stored_texts(db, f"telegram:{GROUP}") == ["exactly once"]
        else:
            assert open_updates(db) == 1  # stored, never marked: the inbox will hand it over again
            assert answered_before == 0
        bot = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "bot.log")
        await bot.start()
        try:
            if point == "telegram-after-store":
                await wait_until(lambda: len(replies_to(fake, message["message_id"])) == 1, 60)
            await wait_until(lambda: open_updates(db) == 0, 30)
            after = fake.push_message(GROUP, 1, "/comment and then this")  # the restarted bot is serving
            await wait_until(lambda: len(replies_to(fake, after["message_id"])) == 1, 60)
        finally:
            assert await bot.terminate() == 0
        expected = [] if point == "telegram-after-effect" else ["exactly once"]
        assert stored_texts(db, f"telegram:{GROUP}") == [*expected, "and then this"]  # in the order written
        replies = replies_to(fake, message["message_id"])
        assert len(replies) == (0 if point == "telegram-after-effect" else 1)
        assert all("Saved as #1" in r for r in replies)
