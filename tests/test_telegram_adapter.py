"""The Telegram adapter end to end: real python-telegram-bot over HTTP against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from tests.fakes.telegram_html import check_html, utf16_len
from tests.fakes.telegram_server import BOT_USERNAME
from tests.support import DEMO
from tests.telegram_harness import GROUP, OTHER_GROUP, OWNER, telegram_rig, texts

ANN, BOB, MOD = 101, 102, 103


def buttons(call_result: dict[str, object]) -> dict[str, str]:
    markup = call_result.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_start_publishes_commands_for_members_and_admins(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        scopes = {json.dumps(c.params.get("scope"), sort_keys=True): [x["command"] for x in c.params["commands"]]
                  for c in rig.fake.calls_of("setMyCommands")}
        default = next(v for k, v in scopes.items() if "all_chat_administrators" not in k)
        admins = next(v for k, v in scopes.items() if "all_chat_administrators" in k)
        assert {"section", "comment", "comments", "next", "search"} <= set(default)
        assert "ban" not in default and {"ban", "remove", "approval", "export"} <= set(admins)


async def test_group_conversation_reading_commenting_and_moderation(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        contents = texts(await rig.say(ANN, "/sections"))
        assert "2. Cost of Living" in contents
        shown = await rig.say(ANN, "/section 1")
        section_msg = next(c.result for c in shown if c.method == "sendMessage")
        assert "<b>Infrastructure and Urban Development</b>" in shown[-1].params["text"]
        nxt = buttons(section_msg)["Next ▶"]
        pressed = await rig.press(ANN, nxt, section_msg)
        assert [c.method for c in pressed] == ["answerCallbackQuery", "editMessageText"]
        assert "Cost of Living" in texts(pressed)
        page = rig.fake.message(GROUP, section_msg["message_id"])
        assert page is not None
        # replying to the section message (now showing section 2) records a comment on section 2
        saved = texts(await rig.say(BOB, "Rent really is cheaper", reply_to=page))
        assert "Saved as #1 on §2 Cost of Living" in saved
        assert "Rent really is cheaper" in texts(await rig.say(ANN, "/comments"))
        assert "Only admins can hide a comment" in texts(await rig.say(ANN, "/remove #1"))
        rig.fake.set_admins(GROUP, [MOD])
        assert "Removed #1" in texts(await rig.say(MOD, "/remove #1 off topic"))
        assert "Rent really is cheaper" not in texts(await rig.say(ANN, "/comments"))
        assert "Only admins" in texts(await rig.say(MOD, "/remove #1", chat=OTHER_GROUP))


async def test_hostile_text_is_escaped_and_shown_exactly(tmp_path: Path) -> None:
    hostile = "<b>&<script>alert(1)</script> &amp; </b> 中文评论 😀👍🏽 @everyone"
    async with telegram_rig(tmp_path) as rig:
        await rig.say(ANN, "/section 2")
        saved = await rig.say(ANN, f"/comment {hostile}")
        assert all(c.ok for c in saved), [c.description for c in saved]
        assert hostile in texts(await rig.say(BOB, "/comments"))
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == hostile


async def test_ten_thousand_characters_are_split_and_complete(tmp_path: Path) -> None:
    long = " ".join(f"w{i:04d}" for i in range(1700))  # 10,199 characters
    async with telegram_rig(tmp_path) as rig:
        await rig.say(ANN, f"/comment {long}")
        calls = [c for c in await rig.say(BOB, "/comments") if c.method == "sendMessage"]
        assert len(calls) >= 3 and all(c.ok for c in calls)
        assert all(utf16_len(check_html(c.params["text"])) <= 4096 for c in calls)
        joined = " ".join(check_html(c.params["text"]) for c in calls)
        assert all(f"w{i:04d}" in joined for i in range(1700))


async def test_commands_for_other_bots_are_ignored_and_ours_work(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        assert await rig.say(ANN, "/sections@some_other_bot") == []
        assert "Cost of Living" in texts(await rig.say(ANN, f"/sections@{BOT_USERNAME}"))
        assert await rig.say(ANN, "just chatting, not to the bot") == []


async def test_unknown_command_and_deep_link(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        assert "I don't know /frobnicate" in texts(await rig.say(ANN, "/frobnicate"))
        assert "Public Safety" in texts(await rig.say(ANN, "/start section_5", chat=ANN, chat_type="private"))
        assert "reply to a section" in texts(await rig.say(ANN, "hello bot", chat=ANN, chat_type="private"))


async def test_forum_topic_replies_stay_in_the_topic(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        calls = await rig.say(ANN, "/section 3", thread_id=77, is_topic_message=True)
        sent = [c for c in calls if c.method == "sendMessage"]
        assert sent and all(c.params.get("message_thread_id") == 77 for c in sent)


async def test_anonymous_admin_and_owner_may_moderate(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        await rig.say(ANN, "/comment first")
        await rig.say(ANN, "/comment second")
        assert "Removed #1" in texts(await rig.say(0, "/remove #1", sender_chat=True))
        assert "Removed #2" in texts(await rig.say(OWNER, "/remove #2"))


async def test_ban_by_replying_to_the_users_message(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(GROUP, [MOD])
        offending = rig.fake.push_message(GROUP, ANN, "rude remark")
        await rig.say(MOD, "/ban 1h rude", reply_to=offending)
        assert "You are banned" in texts(await rig.say(ANN, "/comment let me in"))


async def test_same_update_delivered_twice_is_stored_once(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        update = rig.fake.message_update(GROUP, ANN, "/comment only once please")
        first = rig.fake.push_update(update)
        await rig.processed(first)
        rig.fake.redeliver(first)
        await rig.say(BOB, "/sections")  # processed after the duplicate
        assert await rig.store.comment(f"telegram:{GROUP}", 2) is None
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == "only once please"


async def test_document_import_and_export(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(GROUP, [MOD])
        article = DEMO.read_bytes().replace(b"Cost of Living", b"Cost of Everything")
        update = rig.fake.document_message_update(GROUP, MOD, "rednote.txt", article, "text/plain",
                                                  caption="/import rednote")
        assert "Imported" in texts(await rig.push(update))
        assert "Cost of Everything" in texts(await rig.say(ANN, "/sections"))
        await rig.say(ANN, "/section 2")
        await rig.say(ANN, "/comment exported words")
        refused = await rig.push(rig.fake.document_message_update(GROUP, ANN, "x.txt", article, caption="/import"))
        assert "Only admins" in texts(refused)
        await rig.say(MOD, "/export md")
        document = rig.fake.documents[-1]
        assert document.file_name == "rednote.md" and "exported words" in document.content.decode()


async def test_unfinished_updates_in_the_inbox_are_processed_at_start(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        update = {**rig.fake.message_update(GROUP, ANN, "/comment left over from a crash"), "update_id": 9000}
        await rig.store.inbox_add("telegram", [(9000, json.dumps(update))], time.time())
    async with telegram_rig(tmp_path) as rig:
        await rig.processed(9000)
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == "left over from a crash"


async def test_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    settings = {"telegram_webhook_secret": SecretStr("s3cret-token_value")}
    async with telegram_rig(tmp_path, webhook_url="http://127.0.0.1/tg/hook", listen="127.0.0.1", port=0,
                            settings=settings) as rig:
        registered = rig.fake.calls_of("setWebhook")[-1].params
        assert registered["secret_token"] == "s3cret-token_value"
        url = f"http://127.0.0.1:{rig.adapter.bound_port}/tg/hook"
        update = rig.fake.message_update(GROUP, ANN, "/comment by webhook")
        assert await rig.fake.post_webhook(url, {**update, "update_id": 500}, "wrong") == 403
        assert await rig.fake.post_webhook(url, {**update, "update_id": 501}) == 403
        assert await rig.store.comment(f"telegram:{GROUP}", 1) is None
        assert await rig.fake.post_webhook(url, {**update, "update_id": 502}, "s3cret-token_value") == 200
        await rig.processed(502)
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == "by webhook"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=b"not json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_value"}) as resp:
                assert resp.status == 400


async def test_faults_are_retried_and_polling_continues(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        rig.fake.fail_next("sendMessage", status=500)
        calls = await rig.say(ANN, "/sections")
        assert [c.status for c in calls if c.method == "sendMessage"] == [500, 200]
        rig.fake.fail_next("sendMessage", status=429, retry_after=1)
        calls = await rig.say(ANN, "/section 1")
        assert [c.status for c in calls if c.method == "sendMessage"] == [429, 200]
        rig.fake.fail_next("getUpdates", status=502, times=2)
        assert "Cost of Living" in texts(await rig.say(ANN, "/section 2"))
        rig.fake.reset_next("sendMessage")
        assert "Technological" in texts(await rig.say(ANN, "/next"))


async def test_stale_and_forged_buttons_get_a_notice(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        shown = await rig.say(ANN, "/section 1")
        message = next(c.result for c in shown if c.method == "sendMessage")
        for data in ("s:999:nothing", "zz", "ok:1"):
            calls = [c for c in await rig.press(BOB, data, message) if c.method != "getChatMember"]
            assert [c.method for c in calls] == ["answerCallbackQuery"]  # a toast, nothing posted in the chat
            assert calls[0].params.get("text")


async def test_every_command_answers_through_telegram(tmp_path: Path) -> None:
    from bot.commands import REGISTRY

    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(GROUP, [MOD])
        await rig.say(ANN, "/comment something to act on")
        for spec in REGISTRY.all():
            for user in (ANN, MOD):
                calls = await rig.say(user, f"/{spec.name} {spec.example}".strip())
                answers = [c for c in calls if c.method in ("sendMessage", "sendDocument")]
                assert answers and all(c.ok for c in answers), (spec.name, user, [c.description for c in calls])


async def test_slow_bot_api_past_the_timeout_is_retried(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path, request_timeout=0.5) as rig:
        rig.fake.delay_next("sendMessage", 1.5)
        calls = await rig.say(ANN, "/comment slow but saved")
        assert [c.fault for c in calls if c.method == "sendMessage"] == [None]  # the retry got through
        await rig.fake.wait_for(lambda c: c.method == "sendMessage" and c.fault == "delay", 5)  # the slow one
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == "slow but saved"


async def test_locked_database_delays_a_comment_and_each_fault_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with telegram_rig(tmp_path) as rig:
        other = sqlite3.connect(rig.db, isolation_level=None, timeout=30)
        other.execute("BEGIN IMMEDIATE")
        caplog.set_level(logging.WARNING)
        update_id = rig.fake.push_update(rig.fake.message_update(GROUP, ANN, "/comment waits for the lock"))
        await asyncio.sleep(6)  # longer than SQLite's own 5 s busy wait
        other.execute("COMMIT")
        other.close()
        await rig.processed(update_id, 30)
        stored = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert stored is not None and stored.text == "waits for the lock"
        locked = [r for r in caplog.records if "locked" in r.getMessage()]
        assert len(locked) == 1


async def test_a_backlog_longer_than_a_replay_page_is_processed_in_full(tmp_path: Path) -> None:
    count = 1100  # more than two pages of the replay
    async with telegram_rig(tmp_path) as rig:
        backlog = []
        for i in range(count):
            update = rig.fake.message_update(GROUP - i % 3, ANN + i % 7, f"/comment backlog {i}")
            backlog.append((10_000 + i, json.dumps({**update, "update_id": 10_000 + i})))
        await rig.adapter.stop()  # stopped, so only the next start sees the backlog
        await rig.store.inbox_add("telegram", backlog, time.time())
    async with telegram_rig(tmp_path) as rig:
        await rig.processed(10_000 + count - 1, 60)
        assert await rig.store.inbox_open("telegram") == []
        stored = [await rig.store.comment(f"telegram:{GROUP - k}", 1) for k in range(3)]
        assert all(c is not None for c in stored)


async def test_each_transient_fault_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with telegram_rig(tmp_path) as rig:
        caplog.set_level(logging.WARNING, logger="articlebot")
        for fail in (lambda: rig.fake.fail_next("sendMessage", status=500),
                     lambda: rig.fake.fail_next("sendMessage", status=429, retry_after=1),
                     lambda: rig.fake.reset_next("sendMessage")):
            caplog.clear()
            fail()
            assert "Saved as" in texts(await rig.say(ANN, "/comment through a fault"))
            assert len([r for r in caplog.records if r.name.startswith("articlebot")]) == 1, caplog.records
