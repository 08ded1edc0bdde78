"""Reading the demo article through the core's neutral API, on a real SQLite file."""

from __future__ import annotations

from bot.actions import Verb, decode, encode
from bot.types import Heading, Quote
from tests.support import DEMO_HEADINGS, Harness, buttons_of, text_of

HEADINGS = DEMO_HEADINGS


async def test_start_shows_title_byline_intro_and_contents(harness: Harness) -> None:
    text = await harness.say("ann", "/start")
    assert "The Great Migration of TikTok to RedNote and Its Potential Consequences" in text
    assert "By Joel Wong" in text
    assert "Over 700,000 American users have joined RedNote" in text
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions)


async def test_sections_lists_contents_with_comment_counts(harness: Harness) -> None:
    await harness.say("ann", "/section 2")
    await harness.say("ann", "/comment cheap rent")
    await harness.say("bob", "/section 2")
    await harness.say("bob", "/comment cheap food")
    text = await harness.say("ann", "/sections")
    assert "2. Cost of Living  · 💬 2" in text
    assert "1. Infrastructure and Urban Development  · 💬 0" in text


async def test_section_by_number_shows_its_text_and_navigation(harness: Harness) -> None:
    outcome = await harness.send("ann", "/section 2")
    text = text_of(outcome)
    assert "Cost of Living" in text
    assert "cost of living in China, particularly for housing" in text
    assert "Infrastructure and Urban Development" not in text
    labels = [label for label, _ in buttons_of(outcome)]
    assert labels[0] == "◀ Previous" and labels[-1] == "Next ▶" and labels[1].startswith("💬 Comments")
    heading = [b for b in outcome.replies[0].blocks if isinstance(b, Heading)]
    assert heading == [Heading("Cost of Living")]


async def test_section_by_words_fuzzy_and_ambiguous(harness: Harness) -> None:
    assert "WeChat and Alipay" in await harness.say("ann", "/section technological")
    assert "WeChat and Alipay" in await harness.say("ann", "/read Technologcal Integraton")
    several = await harness.send("ann", "/section and")
    assert "Several sections match" in text_of(several)
    assert len(buttons_of(several)) >= 2
    none = await harness.say("ann", "/section quantum chromodynamics")
    assert "No section matches" in none and "/sections" in none


async def test_out_of_range_and_missing_arguments_get_help(harness: Harness) -> None:
    assert "sections 1 to 6" in await harness.say("ann", "/section 9")
    assert "Which section?" in await harness.say("ann", "/section")
    assert "Search for what?" in await harness.say("ann", "/search")


async def test_next_and_prev_follow_each_users_position(harness: Harness) -> None:
    assert HEADINGS[0] in await harness.say("ann", "/next")
    assert HEADINGS[1] in await harness.say("ann", "/next")
    assert HEADINGS[0] in await harness.say("bob", "/next")  # bob has his own place
    assert HEADINGS[0] in await harness.say("ann", "/prev")
    await harness.say("ann", "/section 6")
    assert "That was the last section" in await harness.say("ann", "/next")


async def test_buttons_navigate_and_are_within_64_bytes(harness: Harness) -> None:
    outcome = await harness.send("ann", "/section 1")
    data = dict(buttons_of(outcome))["Next ▶"]
    assert len(data.encode()) <= 64
    nxt = await harness.press("ann", data)
    assert "Cost of Living" in text_of(nxt)
    back = dict(buttons_of(nxt))["◀ Previous"]
    assert HEADINGS[0] in text_of(await harness.press("ann", back))


async def test_forged_or_stale_buttons_get_a_short_notice(harness: Harness) -> None:
    for data in ["", "zz:1", "s:1", "s:999:cost-of-living", "c:1:*:x", "s:1:../etc", "ok:" + "9" * 40]:
        outcome = await harness.press("ann", data)
        assert outcome.notice, data
        assert len(outcome.replies) == 1 and outcome.replies[0].private


async def test_search_finds_sections_with_snippets(harness: Harness) -> None:
    outcome = await harness.send("ann", "/search wechat")
    text = text_of(outcome)
    assert "Technological Integration" in text
    assert "WeChat" in text
    assert "\x02" not in text and "\x03" not in text
    assert "Nothing" in await harness.say("ann", "/search zeppelin")


async def test_search_finds_the_intro_and_chinese_inside_a_run_of_chinese(harness: Harness) -> None:
    found = await harness.send("ann", "/search Xiaohongshu")  # only in the intro, which has no section
    assert "Introduction" in text_of(found) and "known in China as Xiaohongshu" in text_of(found)
    assert ("Open the introduction", "s:1:") in [(label, data[:4]) for label, data in buttons_of(found)]
    for word in ("小红书", "红书"):  # two characters are enough, inside a longer run of Chinese
        assert "Introduction" in await harness.say("ann", f"/search {word}")
    assert "Nothing" in await harness.say("ann", "/search 红")  # one character finds nothing, not everything


async def test_help_lists_commands_and_explains_one(harness: Harness) -> None:
    text = await harness.say("ann", "/help")
    for name in ("/section", "/comment", "/comments", "/next", "/search"):
        assert name in text
    assert "/ban" not in text  # moderation is listed for admins only
    harness.admin("boss")
    assert "/ban" in await harness.say("boss", "/help")
    detail = await harness.say("ann", "/help comment")
    assert "/comment <text>" in detail
    assert "There is no /nope command" in await harness.say("ann", "/help nope")


async def test_unknown_command_suggests_a_close_one(harness: Harness) -> None:
    text = await harness.say("ann", "/sectoin 2")
    assert "I don't know /sectoin" in text and "/section" in text


async def test_articles_and_deep_link(harness: Harness) -> None:
    assert "1. The Great Migration" in await harness.say("ann", "/articles")
    assert "Public Safety" in await harness.say("ann", "/start section_5")


async def test_action_codec_round_trips_and_rejects_junk() -> None:
    data = encode(Verb.COMMENTS, 123456, "a" * 32, 999999999999)
    assert len(data.encode()) <= 64
    action = decode(data)
    assert action is not None and action.int_arg(2) == 999999999999
    assert decode("s:1:has space") is None
    assert decode("s:1:" + "é" * 40) is None


async def test_comment_text_is_data_not_markup(harness: Harness) -> None:
    await harness.say("ann", "/section 1")
    hostile = "<b>&amp; *_ @everyone `x` [l](http://e) 中文 😀"
    await harness.say("ann", f"/comment {hostile}")
    outcome = await harness.send("ann", "/comments")
    quotes = [b.text for r in outcome.replies for b in r.blocks if isinstance(b, Quote)]
    assert quotes == [hostile]
