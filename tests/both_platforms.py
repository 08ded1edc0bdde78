"""One `articlebot run` serving a Telegram group (fake Telegram) and a Discord channel (fake Discord) at once, and a
way to speak in each and read the answer, for the tests of rooms that share a discussion."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.discord_harness import GENERAL, plain
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_harness import texts as tg_texts
from tests.telegram_process import BotProcess, bot_env
from tests.test_discord_process import TOKEN as DISCORD_TOKEN
from tests.test_discord_process import interact
from tests.test_telegram_process import GROUP, TOKEN, wait_until

TELEGRAM_MOD = 11


@dataclass
class BothPlatforms:
    tg: FakeTelegram
    dc: FakeDiscord
    bot: BotProcess

    async def tg_say(self, user: int, text: str) -> str:
        """A message in the Telegram group, and the bot's answers to it."""
        sent = self.tg.push_message(GROUP, user, text)

        def answers() -> list[object]:
            return [c for c in self.tg.sent_messages(GROUP)
                    if (c.params.get("reply_parameters") or {}).get("message_id") == sent["message_id"]]

        await wait_until(lambda: bool(answers()), 30)
        return tg_texts(answers())  # type: ignore[arg-type]

    async def dc_say(self, command: str, options: list[dict[str, str]], user: int) -> str:
        """A slash command in the Discord channel, and what the bot answered."""
        return plain(await interact(self.dc, self.dc.slash_interaction(command, options, user, GENERAL)))


@asynccontextmanager
async def both_platforms(tmp_path: Path, **env: str) -> AsyncIterator[BothPlatforms]:
    async with FakeTelegram(token=TOKEN) as tg, FakeDiscord(token=DISCORD_TOKEN) as dc:
        tg.set_admins(GROUP, [TELEGRAM_MOD])
        settings = bot_env(tg.url, TOKEN, tmp_path / "both.db")
        settings.update(DISCORD_BOT_TOKEN=DISCORD_TOKEN, DISCORD_API_URL=f"{dc.url}/api/v10",
                        DISCORD_GATEWAY_URL=f"{dc.ws_url}/", DISCORD_GUILD_IDS="2000", **env)
        bot = BotProcess(settings, tmp_path / "bot.log")
        await bot.start()
        try:
            await dc.wait_ready(timeout=60)
            await asyncio.sleep(1.0)
            yield BothPlatforms(tg, dc, bot)
        finally:
            assert await bot.terminate() == 0
