"""`articlebot run` as a real process against the fake Bot API: a conversation, crash safety, no leaked token."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from tests.fakes.telegram_html import check_html
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_process import BotProcess, bot_env, stored_texts

GROUP = -100777
TOKEN = "987654:SECRET-token-never-in-logs"


async def wait_until(predicate, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


def replies_to(fake: FakeTelegram, message_id: int) -> list[str]:
    return [check_html(c.params["text"]) for c in fake.sent_messages(GROUP)
            if (c.params.get("reply_parameters") or {}).get("message_id") == message_id]


async def test_run_serves_a_group_and_never_logs_the_token(database: Path | str, tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        db = database
        bot = BotProcess(bot_env(fake.url, TOKEN, db, LOG_LEVEL="DEBUG"), tmp_path / "bot.log")
        asked = fake.push_message(GROUP, 1, "/section 1")  # queued: the first getUpdates returns it at once
        await bot.start()
        try:
            await wait_until(lambda: replies_to(fake, asked["message_id"]))
            assert "Infrastructure and Urban Development" in replies_to(fake, asked["message_id"])[0]
            shown = fake.last_sent(GROUP)
            comment = fake.push_message(GROUP, 2, "<b>hostile & exact</b> 中文 😀", reply_to=shown)
            await wait_until(lambda: replies_to(fake, comment["message_id"]))
            assert "Saved as #1 on §1" in replies_to(fake, comment["message_id"])[0]
            assert stored_texts(db, f"telegram:{GROUP}") == ["<b>hostile & exact</b> 中文 😀"]
        finally:
            code = await bot.terminate()
        assert code == 0
        log = (tmp_path / "bot.log").read_text()
        assert "getUpdates" in log or "DEBUG" in log  # the DEBUG log really was on
        assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_sigkill_at_random_moments_loses_and_doubles_nothing(database: Path | str, tmp_path: Path) -> None:
    count, kills = 1500, 5  # long enough that the last kill still lands mid-stream on a fast machine
    rng = random.Random(7)
    async with FakeTelegram(token=TOKEN) as fake:
        db = database
        bot = BotProcess(bot_env(fake.url, TOKEN, db), tmp_path / "bot.log")
        messages = [fake.push_message(GROUP, 1000 + i % 37, f"/comment streamed {i}") for i in range(count)]
        await bot.start()
        at_kill: list[int] = []
        for _ in range(kills):
            before = len(stored_texts(db, f"telegram:{GROUP}"))
            await wait_until(lambda b=before: len(stored_texts(db, f"telegram:{GROUP}")) > b, 60)  # it is working
            await asyncio.sleep(rng.uniform(0.0, 0.1))
            await bot.kill()
            at_kill.append(len(stored_texts(db, f"telegram:{GROUP}")))
            await bot.start()
        assert len(at_kill) == kills and at_kill[-1] < count, at_kill  # every kill hit mid-stream
        await wait_until(lambda: len(stored_texts(db, f"telegram:{GROUP}")) >= count, 120)
        await wait_until(lambda: all(replies_to(fake, m["message_id"]) for m in messages), 120)
        code = await bot.terminate()
        texts = stored_texts(db, f"telegram:{GROUP}")
        assert sorted(texts) == sorted(f"streamed {i}" for i in range(count))  # none lost, none doubled
        assert code == 0


async def test_a_refused_token_stops_with_a_clear_message_that_never_shows_it(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        wrong = "111:WRONG-secret-value-xyz"
        bot = BotProcess(bot_env(fake.url, wrong, tmp_path / "w.db", LOG_LEVEL="DEBUG"), tmp_path / "bad.log")
        await bot.start()
        assert bot.proc is not None
        code = await asyncio.wait_for(bot.proc.wait(), 60)
        log = (tmp_path / "bad.log").read_text()
        assert code != 0 and "check the token" in log
        assert wrong not in log and "WRONG-secret" not in log
