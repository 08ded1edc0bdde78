"""Renderers and the block splitter: escaped, within limits, nothing lost, no markup cut."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import render as dc
from adapters.split import utf16_len
from adapters.telegram import render as tg
from bot.types import Heading, Paragraph, Quote, Reply, Span, Style
from tests.fakes.telegram_html import check_html

TOKENS = st.one_of(
    st.sampled_from(list("<>&\"'*_~`|\\#-[]():@\n ") + ["@everyone", "<@&1>", "&amp;", "<b>", "</i>"]),
    st.characters(codec="utf-8"),
    st.sampled_from(["😀", "👨‍👩‍👧", "🇺🇦", "中", "ע", "\u200b", "\u202e", "é", "👍🏽"]),
)
NASTY = st.lists(TOKENS, max_size=120).map("".join)


def reply_of(text: str) -> Reply:
    return Reply((Heading("Title <x>"), Paragraph((Span("#1 ", Style.BOLD), Span(text[:50]))), Quote(text)))


def telegram_plain(messages: list[str]) -> str:
    return "\n\n".join(check_html(m) for m in messages)


@settings(max_examples=300, deadline=None)
@given(NASTY, st.integers(min_value=1, max_value=60))
def test_telegram_chunks_are_valid_html_within_limits_and_lose_nothing(text: str, repeat: int) -> None:
    body = text * repeat
    messages = tg.render_messages(reply_of(body))
    for message in messages:
        assert utf16_len(message) <= tg.MESSAGE_LIMIT
        check_html(message)  # raises on anything Telegram would refuse
    plain = telegram_plain(messages)
    assert re.sub(r"\s+", "", plain) == re.sub(r"\s+", "", "Title <x>" + "#1 " + body[:50] + body)


def test_telegram_ten_thousand_character_comment_splits_into_three() -> None:
    body = ("word " * 2000).strip()
    messages = tg.render_messages(Reply((Quote(body),)))
    assert len(messages) == 3
    assert all(m.startswith("<blockquote>") and m.endswith("</blockquote>") for m in messages)
    assert "".join(check_html(m) for m in messages).replace(" ", "") == body.replace(" ", "")


def test_telegram_counts_utf16_not_characters() -> None:
    body = "😀" * 3000  # 6000 UTF-16 units
    messages = tg.render_messages(Reply((Quote(body),)))
    assert len(messages) == 2 and all(utf16_len(m) <= 4096 for m in messages)
    assert "".join(check_html(m) for m in messages) == body


def test_telegram_escapes_markup() -> None:
    html = tg.render_block(Quote("<b>&</b> <script>"))
    assert html == "<blockquote>&lt;b&gt;&amp;&lt;/b&gt; &lt;script&gt;</blockquote>"
    assert check_html(html) == "<b>&</b> <script>"


def unescape_discord(text: str) -> str:
    lines = [line[2:] if line.startswith("> ") else ("" if line == ">" else line) for line in text.split("\n")]
    return re.sub(r"\\(.)", r"\1", "\n".join(lines))


@settings(max_examples=300, deadline=None)
@given(NASTY, st.integers(min_value=1, max_value=60))
def test_discord_chunks_within_limit_escape_everything_and_lose_nothing(text: str, repeat: int) -> None:
    body = text * repeat
    messages = dc.render_messages(Reply((Quote(body),)))
    for message in messages:
        assert len(message) <= dc.MESSAGE_LIMIT
        # no unescaped markdown character survives outside the quote markers
        stripped = "\n".join(line[2:] if line.startswith("> ") else line for line in message.split("\n"))
        assert not re.search(r"(?<!\\)(?:\\\\)*[*_~`|<\[\]]", stripped)
    assert re.sub(r"\s+", "", "".join(unescape_discord(m) for m in messages)) == re.sub(r"\s+", "", body)


def test_discord_mentions_are_neutralised_and_markdown_escaped() -> None:
    out = dc.render_block(Paragraph.of("@everyone <@&123> **bold** ||spoiler||"))
    assert out == r"@everyone \<@&123\> \*\*bold\*\* \|\|spoiler\|\|"


def test_discord_ten_thousand_characters_split_on_line_boundaries() -> None:
    body = "\n".join(f"line {i} " + "x" * 40 for i in range(200))
    messages = dc.render_messages(Reply((Quote(body),)))
    assert len(messages) >= 5 and all(len(m) <= 2000 for m in messages)
    assert all(line.startswith("> line ") for m in messages for line in m.split("\n"))
