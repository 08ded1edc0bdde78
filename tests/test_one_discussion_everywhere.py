"""Issue 14's whole promise, through one `articlebot run` serving a Telegram group, a Discord channel and a web
page: a comment made in the Telegram group is numbered in the shared sequence in the Discord channel's /comments,
mirrored live into that channel, and on the web page within a second without a reload; a removal by the Discord
moderator hides it in all three."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from tests.both_platforms import TELEGRAM_MOD, BothPlatforms, both_platforms
from tests.discord_harness import ADMIN, GENERAL, PLAIN
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.telegram_server import Call
from tests.pg_cluster import free_port
from tests.test_telegram_process import GROUP, wait_until
from tests.web_browser import DESKTOP, browser, screenshot


def tg_copies(both: BothPlatforms, words: str) -> list[Call]:
    return [c for c in both.tg.sent_messages(GROUP) if c.method == "sendMessage" and "🔁" in c.params["text"]
            and words in c.params["text"]]


def mirrored(dc: FakeDiscord, words: str) -> list[str]:
    return [m["content"] for m in dc.messages_in(GENERAL) if words in m.get("content", "") and "🔁" in m["content"]]


async def test_a_telegram_comment_reaches_discord_its_mirror_and_the_web_page(tmp_path: Path) -> None:
    ann = 12
    web_port = free_port()
    async with both_platforms(tmp_path, WEB_PORT=str(web_port)) as both:
        code = re.search(r"/link ([A-Z0-9]{8})", await both.tg_say(TELEGRAM_MOD, "/link"))
        assert code is not None
        assert "Linked" in await both.dc_say("link", [{"name": "code", "value": code[1]}], ADMIN)
        assert "From now on" in await both.dc_say("mirror", [{"name": "on", "value": "on"}], ADMIN)
        assert "From now on" in await both.tg_say(TELEGRAM_MOD, "/mirror on")  # both ways
        link = re.search(r"http://\S+", await both.tg_say(TELEGRAM_MOD, "/web"))
        assert link is not None and link[0].startswith(f"http://127.0.0.1:{web_port}/d/")

        async with browser() as chromium:
            page = await chromium.new_page(viewport=DESKTOP)
            await page.goto(link[0])
            await page.wait_for_selector("#live.on", timeout=5000)

            assert "Saved as #1" in await both.tg_say(ann, "/comment written in the Telegram group")
            said = time.monotonic()
            await page.wait_for_selector("#c1", timeout=1000)  # on the page within a second, no reload
            on_page = time.monotonic() - said
            assert "written in the Telegram group" in (await page.locator("#c1").text_content() or "")
            assert "✈️" in (await page.locator("#c1 .author").text_content() or "")
            listing = await both.dc_say("comments", [], PLAIN)
            assert "#1" in listing and "written in the Telegram group" in listing and "✈️" in listing
            await wait_until(lambda: bool(mirrored(both.dc, "written in the Telegram group")), 10)
            copy = mirrored(both.dc, "written in the Telegram group")
            assert len(copy) == 1 and "#1" in copy[0] and "✈️" in copy[0]

            # the Discord channel's own comment is #2 and is not mirrored back into it
            said_there = await both.dc_say("comment", [{"name": "text", "value": "said on Discord"}], PLAIN)
            assert "Saved as #2" in said_there
            await page.wait_for_selector("#c2", timeout=1000)
            assert "🎮" in (await page.locator("#c2 .author").text_content() or "")

            # mirrored into the Telegram group too, and a reply to that copy is a reply to #2
            await wait_until(lambda: bool(tg_copies(both, "said on Discord")), 10)
            copy_there = tg_copies(both, "said on Discord")
            assert len(copy_there) == 1 and "🎮" in copy_there[0].params["text"]
            # the confirmation replies to the Telegram message that asked: #2's own message is on Discord
            sent = both.tg.push_message(GROUP, ann, "answering the Discord comment", reply_to=copy_there[0].result)
            await wait_until(lambda: any("Saved as #3" in c.params.get("text", "") for c in both.tg.sent_messages(GROUP)
                                         if (c.params.get("reply_parameters") or {}).get("message_id")
                                         == sent["message_id"]), 30)
            await page.wait_for_selector("#c2 .replies #c3", timeout=1000)  # nested under #2 on the page
            confirmation = [c for c in both.tg.sent_messages(GROUP) if "Saved as #3" in c.params.get("text", "")]
            assert "(reply to #2)" in confirmation[0].params["text"]

            assert "Removed #1" in await both.dc_say("remove", [{"name": "comment", "value": "#1"}], ADMIN)
            await page.wait_for_selector("#c1", state="detached", timeout=1000)
            assert "written in the Telegram group" not in await both.tg_say(ann, "/comments")
            await wait_until(lambda: any("#1 was removed by a moderator" in m.get("content", "")
                                         for m in both.dc.messages_in(GENERAL)), 10)
            assert mirrored(both.dc, "written in the Telegram group") == []
            assert page.url == link[0]
            await screenshot(page, "web-linked-rooms")
            await asyncio.sleep(3.5)  # one more round of the mirror: still nothing of the channel's own
            assert mirrored(both.dc, "said on Discord") == []
        print(f"on the page {on_page * 1000:.0f} ms after the Telegram group's answer")
