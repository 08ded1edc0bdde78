"""What the Discord renderer writes reads back, by Discord's own Markdown rules (tests/discord_markdown.py),
as exactly the text and the styles that were meant: adjacent styled spans never run their markers together,
and nothing a person typed turns into formatting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import render_block
from bot.types import Paragraph, Span, Style
from tests.discord_markdown import parse, styles_by_character

STYLE_NAMES = {Style.PLAIN: frozenset(), Style.BOLD: frozenset({"bold"}), Style.ITALIC: frozenset({"italic"}),
               Style.CODE: frozenset({"code"})}
TRICKY = "*_~`|>#-[]()<:\\ \u00a0ab中😀"


def meant(spans: list[Span]) -> list[tuple[str, frozenset[str]]]:
    out = []
    for span in spans:
        text = span.text.replace("`", "ˋ") if span.style is Style.CODE else span.text
        for ch in text:
            # spaces at a styled span's edges are written outside its markers: their style does not show
            out.append((ch, STYLE_NAMES[span.style] if not ch.isspace() else frozenset()))
    return out


def read_back(spans: list[Span]) -> list[tuple[str, frozenset[str]]]:
    got = styles_by_character(parse(render_block(Paragraph(tuple(spans)))))
    return [(ch, styles if not ch.isspace() else frozenset()) for ch, styles in got]


def test_bold_then_italic_reads_as_meant() -> None:
    spans = [Span("ann", Style.BOLD), Span("· just now · on §3 …", Style.ITALIC)]
    assert read_back(spans) == meant(spans)
    spans = [Span("a", Style.ITALIC), Span("b", Style.BOLD), Span("c", Style.ITALIC), Span("d", Style.CODE)]
    assert read_back(spans) == meant(spans)


def test_the_old_ambiguity_is_what_the_parser_sees() -> None:
    # the parser reads Discord's way: the run this renderer used to write is bold "ann*", then plain text
    runs = parse("**ann*** · just now*")
    assert "".join(r.text for r in runs if r.styles == {"bold"}) == "ann*"
    assert not any("italic" in r.styles for r in runs)


def test_typed_markup_stays_text() -> None:
    spans = [Span("**not bold** _nor_ ~~this~~ `x` \\*", Style.PLAIN), Span("*star*", Style.BOLD)]
    assert read_back(spans) == meant(spans)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.builds(Span, st.text(alphabet=TRICKY, min_size=1, max_size=8),
                          st.sampled_from(list(Style))), min_size=1, max_size=6))
def test_any_spans_read_back_as_meant(spans: list[Span]) -> None:
    assert read_back(spans) == meant(spans)
