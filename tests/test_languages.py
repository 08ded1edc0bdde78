"""English and Simplified Chinese: complete catalogs, the language of each answer, Chinese text handled as well
as English (section lookup, search, word filters, message splitting), on both stores and through each adapter."""

from __future__ import annotations

import html
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog

from adapters.telegram.render import render_messages
from bot.actions import Verb, encode
from bot.i18n import CHINESE, ENGLISH, in_language, normalize
from bot.importer import parse_article
from bot.types import Chat, Command, Event, Paragraph, Reply, User
from tests.discord_harness import EPHEMERAL, MOD, discord_world, flags, plain
from tests.support import START, Harness, text_of
from tests.telegram_harness import GROUP, telegram_rig, texts

ROOT = Path(__file__).resolve().parent.parent
ZH_ARTICLE = Path(__file__).parent / "articles" / "rednote_zh.md"


def catalogs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- the catalogs ------------------------------------------------------------------------------------


def test_every_message_is_translated_with_the_same_placeholders_and_compiled(capsys) -> None:  # type: ignore[no-untyped-def]
    assert catalogs_script().main(["--check"]) == 0, capsys.readouterr().out


def test_the_check_catches_a_missing_translation_and_a_dropped_placeholder() -> None:
    script = catalogs_script()
    template = Catalog()
    template.add("Saved as #{number} on {section}.")
    template.add("Slow mode is off.")
    translated = Catalog(locale="zh_Hans")
    translated.add("Saved as #{number} on {section}.", "已保存为 #{number}。")
    problems = script.problems(template, {"zh_Hans": translated})
    assert any("placeholders ['number'] instead of ['number', 'section']" in p for p in problems)
    assert any("'Slow mode is off.' has no translation" in p for p in problems)


def test_platform_language_codes_map_to_our_catalogs() -> None:
    assert [normalize(c) for c in ("zh-hans", "zh-CN", "zh_TW", "zh", "en-US", "en", "fr", "", None)] == [
        CHINESE, CHINESE, CHINESE, CHINESE, ENGLISH, ENGLISH, None, None, None]


# ---- whose language an answer is in ----------------------------------------------------------------------


def event(who: str, text: str, chat: str = "test:group", *, private: bool = False, language: str | None = None,
          answers_privately: bool = False) -> Event:
    name, _sep, args = text[1:].partition(" ")
    return Event(User(f"test:{who}", who.capitalize(), language=language), Chat(chat, private=private),
                 Command(name, args), message_id=f"{who}-{text}-{chat}", answers_privately=answers_privately)


async def ask(h: Harness, e: Event) -> str:
    return text_of(await h.core.handle(e, h.platform))


async def test_group_answers_follow_the_chat_and_private_ones_the_person(harness: Harness) -> None:
    harness.admin("boss")
    # no chat language yet: a reader whose app is Chinese is answered in Chinese
    assert "目录" in await ask(harness, event("li", "/sections", language="zh-hans"))
    assert "public answers are now in English" in await harness.say("boss", "/language chat en")
    # the chat chose English: public answers are English, whatever the reader's app says
    assert "Contents" in await ask(harness, event("li", "/sections", language="zh-hans"))
    # what only the sender sees (a refusal on Discord, a toast on Telegram) follows the sender
    refused = await ask(harness, event("li", "/remove #1", language="zh-hans", answers_privately=True))
    assert "只有管理员可以隐藏评论" in refused
    assert "Only admins can hide a comment" in await ask(harness, event("li", "/remove #1", language="zh-hans"))
    # a private chat with the bot follows the person
    assert "目录" in await ask(harness, event("li", "/sections", "test:li", private=True, language="zh-hans"))


async def test_a_persons_choice_beats_their_app_and_auto_returns_to_it(harness: Harness) -> None:
    private = dict(chat="test:ann", private=True)
    assert "好的，以后我用简体中文回复你" in await ask(harness, event("ann", "/language zh", **private))
    assert "目录" in await ask(harness, event("ann", "/sections", **private, language="en-US"))
    assert "your app's language" in await ask(harness, event("ann", "/language auto", **private, language="en"))
    assert "Contents" in await ask(harness, event("ann", "/sections", **private, language="en-US"))
    assert "I speak English (en) and Simplified Chinese (zh)" in await ask(
        harness, event("ann", "/language klingon", **private))


async def test_only_admins_choose_the_chat_language(harness: Harness) -> None:
    assert "Only admins can choose this chat's language." in await harness.say("ann", "/language chat zh")
    harness.admin("boss")
    assert "本群的公开回复现在使用简体中文" in await harness.say("boss", "/language chat zh")
    assert "讨论" in await harness.say("ann", "/help")
    assert "语言 chat" in await harness.say("boss", "/modlog")  # the change is in the modlog
    assert "I answer each person in theirs" in await harness.say("boss", "/language chat auto")


async def test_times_and_numbers_in_chinese(harness: Harness) -> None:
    harness.admin("boss")
    await harness.say("boss", "/language chat zh")
    await harness.say("ann", "/comment 第一条")
    harness.clock.advance(180)
    assert "3 分钟前" in await harness.say("ann", "/comments")
    banned = await harness.say("boss", "/ban ann 2h 刷屏")
    assert "2 小时后解除" in banned and "理由：刷屏" in banned
    assert "2 小时后解除" in await harness.say("ann", "/comment 还能说话吗")


# ---- a Chinese article ------------------------------------------------------------------------------------


async def chinese_article(h: Harness) -> None:
    parsed = parse_article(ZH_ARTICLE.read_bytes(), filename=ZH_ARTICLE.name)
    saved = await h.store.save_article("rednote-zh", parsed, START)
    await h.store.set_chat_article("test:group", saved.id)


async def test_a_chinese_article_is_read_by_words_searched_and_filtered(harness: Harness) -> None:
    await chinese_article(harness)
    harness.admin("boss")
    assert "一碗面十几块钱" in await harness.say("ann", "/section 生活成本")
    assert "高铁、地铁和移动支付" in await harness.say("ann", "/section 城市建设")  # words from inside the heading
    assert "科幻片" in await harness.say("ann", "/section 城市 基础设施")  # several words, any order
    found = await harness.say("ann", "/search 扫码")  # a word inside a sentence, no spaces around it
    assert "二、基础设施与城市建设" in found and "扫码" in found
    await harness.say("boss", "/filter add 吵架 hold")
    await harness.say("boss", "/filter add ass block")
    await harness.say("ann", "/section 4")
    assert "waiting for a moderator" in await harness.say("ann", "/comment 他们在评论区吵架了")
    assert "Saved as" in await harness.say("ann", "/comment a class act")  # an English filter: whole words only
    assert "not allowed" in await harness.say("ann", "/comment what an ass")


def test_long_chinese_text_is_split_between_sentences_never_inside_a_character_or_emoji() -> None:
    sentence = "美国网友第一次用手机扫码买菜，觉得像在看科幻片👨‍👩‍👧‍👦。"
    text = sentence * 400
    pieces = render_messages(Reply((Paragraph.of(text),)))
    assert len(pieces) > 1
    assert "".join(html.unescape(p) for p in pieces) == text
    assert all(p.endswith("。") for p in pieces[:-1])


# ---- adapters -------------------------------------------------------------------------------------------


def console(tmp_path: Path, lines: list[str], *args: str, env: dict[str, str] | None = None) -> str:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LC_", "LANG"))}
    clean.update(PYTHONPATH=str(ROOT), **(env or {}))
    result = subprocess.run([sys.executable, "-m", "articlebot", "console", "--db", str(tmp_path / "c.db"), *args],
                            input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120, env=clean,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_console_in_chinese_and_in_english(tmp_path: Path) -> None:
    script = ["/sections", "/section 2", "/comment 房租确实便宜", "/comments", "/nonsense", "hello"]
    zh = console(tmp_path, script, "--lang", "zh")
    assert "== 目录 ==" in zh and "✅ 已保存为 §2 Cost of Living 的 #1。" in zh and "刚刚" in zh
    assert "没有 /nonsense 这个命令" in zh and "命令以 / 开头" in zh
    en = console(tmp_path, script[:4], "--user", "bob")
    assert "== Contents ==" in en and "Saved as #2" in en and "房租确实便宜" in en
    from_locale = console(tmp_path, ["/help"], "--user", "cat", env={"LANG": "zh_CN.UTF-8"})
    assert "== 命令 ==" in from_locale
    refused = subprocess.run([sys.executable, "-m", "articlebot", "console", "--lang", "xx"], capture_output=True,
                             text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert refused.returncode == 2 and "--lang takes zh or en" in refused.stderr


def test_every_command_has_a_chinese_menu_text() -> None:
    from bot.core import Core

    for spec in Core.commands():
        assert in_language(CHINESE, spec.summary) != spec.summary, spec.name
        for param in spec.params:
            assert in_language(CHINESE, param.description) != param.description, (spec.name, param.name)


async def test_telegram_a_chinese_app_in_a_group_whose_language_is_english(tmp_path: Path) -> None:
    li, mod = 201, 103
    async with telegram_rig(tmp_path) as rig:
        rig.fake.user_languages[li] = "zh-hans"
        rig.fake.set_admins(GROUP, [mod])
        assert "目录" in texts(await rig.say(li, "/sections"))  # no chat language yet: her app's
        assert "public answers are now in English" in texts(await rig.say(mod, "/language chat en"))
        shown = await rig.say(li, "/sections")
        assert "Contents" in texts(shown) and "目录" not in texts(shown)
        assert "目录" in texts(await rig.say(li, "/sections", chat=li, chat_type="private"))
        # a press she may not make is answered with a toast only she sees: in her language
        message = next(c.result for c in shown if c.method == "sendMessage")
        pressed = await rig.press(li, encode(Verb.APPROVE, 1), message)
        toast = next(c for c in pressed if c.method == "answerCallbackQuery")
        assert toast.params["text"] == "只有管理员可以通过或拒绝评论。"
        # the command menu in Chinese for Chinese apps, and in English for the rest
        menus = {(json.loads(scope)["type"], language): {c["command"]: c["description"] for c in commands}
                 for (scope, language), commands in rig.fake.commands.items()}
        assert menus["default", "zh"]["sections"] == "目录及各节评论数"
        assert menus["default", ""]["sections"] == "Contents with comment counts"
        assert menus["all_chat_administrators", "zh"]["ban"] == "禁止某用户在这里评论"


async def test_discord_the_locale_for_what_only_the_sender_sees_the_chat_for_the_rest(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        fake = world.fake
        refused = await world.interact(fake.slash_interaction("remove", [{"name": "comment", "value": "#1"}],
                                                              locale="zh-CN"))
        assert flags(refused) == [EPHEMERAL] and "只有管理员可以隐藏评论" in plain(refused)
        assert "目录" in plain(await world.interact(fake.slash_interaction("sections", locale="zh-CN")))
        chosen = await world.interact(fake.slash_interaction("language", [{"name": "language", "value": "chat en"}],
                                                             MOD))
        assert "public answers are now in English" in plain(chosen)
        public = plain(await world.interact(fake.slash_interaction("sections", locale="zh-CN")))
        assert "Contents" in public and "目录" not in public
        still = await world.interact(fake.slash_interaction("ban", [{"name": "user", "value": "5003"}],
                                                            locale="zh-CN"))
        assert "只有管理员可以禁言" in plain(still)


async def test_a_comment_hidden_by_reports_says_so_in_chinese(harness: Harness) -> None:
    harness.admin("boss")
    await harness.say("boss", "/set report_threshold 1")
    await harness.say("ann", "/comment 一条评论")
    await harness.say("bob", "/report #1 广告")
    await harness.say("boss", "/language chat zh")
    assert "待审核: 被举报 1 次" in await harness.say("boss", "/pending")
