"""Issue 14's whole promise, through one `articlebot run` serving a Telegram group, a Discord channel and a web
page: a comment made in the Telegram group is numbered in the shared sequence in the Discord channel's /comments,
mirrored live into that channel, and on the web page within a second without a reload; a removal by the Discord
moderator hides it in all three."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from tests.discord_harness import ADMIN, GENERAL, PLAIN, plain
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import FakeTelegram
from tests.pg_cluster import free_port
from tests.telegram_harness import texts as tg_texts
from tests.telegram_process import BotProcess, bot_env
from tests.test_discord_process import TOKEN as DISCORD_TOKEN
from tests.test_discord_process import interact
from tests.test_telegram_process import GROUP, TOKEN, wait_until
from tests.web_browser import DESKTOP, browser, screenshot


def mirrored(dc: FakeDiscord, words: str) -> list[str]:
    return [m["content"] for m in dc.messages_in(GENERAL) if words in m.get("content", "") and "🔁" in m["content"]]


async def test_a_telegram_comment_reaches_discord_its_mirror_and_the_web_page(tmp_path: Path) -> None:
    mod, ann = 11, 12
    web_port = free_port()
    async with FakeTelegram(token=TOKEN) as tg, FakeDiscord(token=DISCORD_TOKEN) as dc:
        tg.set_admins(GROUP, [mod])
        env = bot_env(tg.url, TOKEN, tmp_path / "everywhere.db")
        env.update(DISCORD_BOT_TOKEN=DISCORD_TOKEN, DISCORD_API_URL=f"{dc.url}/api/v10",
                   DISCORD_GATEWAY_URL=f"{dc.ws_url}/", DISCORD_GUILD_IDS="2000", WEB_PORT=str(web_port))
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()
        try:
            await dc.wait_ready(timeout=60)
            await asyncio.sleep(1.0)

            async def tg_say(user: int, text: str) -> str:
                sent = tg.push_message(GROUP, user, text)
                await wait_until(lambda: any((c.params.get("reply_parameters") or {}).get("message_id")
                                             == sent["message_id"] for c in tg.sent_messages(GROUP)), 30)
                return tg_texts([c for c in tg.sent_messages(GROUP) if (c.params.get("reply_parameters") or {})
                                 .get("message_id") == sent["message_id"]])

            async def dc_say(command: str, options: list[dict[str, str]], user: int) -> str:
                return plain(await interact(dc, dc.slash_interaction(command, options, user, GENERAL)))

            code = re.search(r"/link ([A-Z0-9]{8})", await tg_say(mod, "/link"))
            assert code is not None
            assert "Linked" in await dc_say("link", [{"name": "code", "value": code[1]}], ADMIN)
            assert "From now on" in await dc_say("mirror", [{"name": "on", "value": "on"}], ADMIN)
            link = re.search(r"http://\S+", await tg_say(mod, "/web"))
            assert link is not None and link[0].startswith(f"http://127.0.0.1:{web_port}/d/")

            async with browser() as chromium:
                page = await chromium.new_page(viewport=DESKTOP)
                await page.goto(link[0])
                await page.wait_for_selector("#live.on", timeout=5000)

                assert "Saved as #1" in await tg_say(ann, "/comment written in the Telegram group")
                said = time.monotonic()
                await page.wait_for_selector("#c1", timeout=1000)  # on the page within a second, no reload
                on_page = time.monotonic() - said
                assert "written in the Telegram group" in (await page.locator("#c1").text_content() or "")
                assert "✈️" in (await page.locator("#c1 .author").text_content() or "")
                listing = await dc_say("comments", [], PLAIN)
                assert "#1" in listing and "written in the Telegram group" in listing and "✈️" in listing
                await wait_until(lambda: bool(mirrored(dc, "written in the Telegram group")), 10)
                copy = mirrored(dc, "written in the Telegram group")
                assert len(copy) == 1 and "#1" in copy[0] and "✈️" in copy[0]

                # the Discord channel's own comment is #2 and is not mirrored back into it
                assert "Saved as #2" in await dc_say("comment", [{"name": "text", "value": "said on Discord"}],
                                                     PLAIN)
                await page.wait_for_selector("#c2", timeout=1000)
                assert "🎮" in (await page.locator("#c2 .author").text_content() or "")

                assert "Removed #1" in await dc_say("remove", [{"name": "comment", "value": "#1"}], ADMIN)
                await page.wait_for_selector("#c1", state="detached", timeout=1000)
                assert "written in the Telegram group" not in await tg_say(ann, "/comments")
                await wait_until(lambda: any("#1 was removed by a moderator" in m.get("content", "")
                                             for m in dc.messages_in(GENERAL)), 10)
                assert mirrored(dc, "written in the Telegram group") == []
                assert page.url == link[0]
                await screenshot(page, "web-linked-rooms")
                await asyncio.sleep(3.5)  # one more round of the mirror: still nothing of the channel's own
                assert mirrored(dc, "said on Discord") == []
            print(f"on the page {on_page * 1000:.0f} ms after the Telegram group's answer")
        finally:
            assert await bot.terminate() == 0
