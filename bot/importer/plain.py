"""Plain text, e.g. a page copied out of a browser: title line, optional byline, paragraphs, headings."""

from __future__ import annotations

from bot.importer.assemble import MAX_TITLE, Draft
from bot.importer.lines import byline_name, is_bullet, join_wrapped, looks_like_heading, width
from bot.importer.scraps import (
    cut_at_end_marker,
    is_chrome_line,
    is_date_line,
    is_end_marker,
    is_junk_line,
    is_tracking_token,
)

# Nobody hard-wraps prose wider than this; a longer line is a whole paragraph on one line.
_MAX_WRAP = 120


def parse_plain(text: str) -> Draft:
    units = [unit for block in _blocks(text) for unit in _block_units(block)]
    # Judged on whole paragraphs, not lines: a wrapped line of prose may look like a leftover on its own.
    units = [unit for unit in cut_at_end_marker(units) if not is_junk_line(unit)]
    while units and (is_tracking_token(units[0]) or is_chrome_line(units[0])):
        units.pop(0)  # a site's navigation copied above the article, or a widget id

    draft = Draft()
    if not units:
        return draft
    if width(units[0]) <= MAX_TITLE:
        draft.title = units.pop(0)
    if units and draft.title is not None and byline_name(units[0]) is not None:
        draft.byline = byline_name(units.pop(0))
    while units and is_date_line(units[0]):
        units.pop(0)  # the dateline under the title: when it was posted, not the first words of the article
    if units and draft.byline is None and draft.title is not None and byline_name(units[0]) is not None:
        draft.byline = byline_name(units.pop(0))  # a byline under the dateline

    for index, unit in enumerate(units):
        following = units[index + 1] if index + 1 < len(units) else None
        # A heading needs a paragraph under it; two short lines in a row are more likely prose.
        if (following is not None and looks_like_heading(unit) and not looks_like_heading(following)
                and not is_date_line(unit)):
            draft.start_section(unit)
        else:
            draft.add_paragraph(unit)
    return draft


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines."""
    lines = [line.strip() for line in text.splitlines()]
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _block_units(block: list[str]) -> list[str]:
    """Split a block into paragraphs and headings, re-joining lines that were hard-wrapped."""
    widths = [width(line) for line in block]
    wrap = max((w for w in widths if w <= _MAX_WRAP), default=0)
    units: list[str] = []
    current = [block[0]]
    for index in range(1, len(block)):
        if _continues(block[index - 1], widths[index - 1], block[index], widths[index], wrap):
            current.append(block[index])
        else:
            units.append(join_wrapped(current))
            current = [block[index]]
    units.append(join_wrapped(current))
    return units


def _continues(previous: str, previous_width: int, line: str, line_width: int, wrap: int) -> bool:
    """Whether `line` is the same paragraph as `previous`, wrapped because the next word did not fit."""
    if previous_width > _MAX_WRAP or line_width > wrap:
        return False
    if is_bullet(line) or is_end_marker(line) or byline_name(line) or byline_name(previous):
        return False
    first_word = line.split(maxsplit=1)[0]
    return previous_width + 1 + width(first_word) > wrap
