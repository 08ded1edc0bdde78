"""One process polls Telegram per bot and database: a second `articlebot run` on the same database is refused
at start and says why; when the first dies (SIGKILL), the next one takes over at once (same machine, its pid
is gone) and serves. Real processes against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_process import BotProcess, bot_env
from tests.test_telegram_process import GROUP, TOKEN, replies_to, wait_until


async def test_a_second_poller_is_refused_and_a_dead_ones_place_is_taken(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        db = tmp_path / "one.db"
        first = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "first.log")
        await first.start()
        try:
            await fake.wait_for(lambda c: c.method == "getUpdates", 60)
            second = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "second.log")
            await second.start()
            assert second.proc is not None
            assert await second.proc.wait() == 1
            said = (tmp_path / "second.log").read_text()
            assert "already polling Telegram for this bot with this database" in said and "--webhook-url" in said
            asked = fake.push_message(GROUP, 1, "/sections")
            await wait_until(lambda: replies_to(fake, asked["message_id"]), 30)  # the first serves on
        finally:
            await first.kill()
        third = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "third.log")
        await third.start()
        try:
            asked = fake.push_message(GROUP, 2, "/sections")
            await wait_until(lambda: replies_to(fake, asked["message_id"]), 60)
        finally:
            assert await third.terminate() == 0
