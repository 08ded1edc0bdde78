"""Plain text, e.g. a page copied out of a browser: title line, optional byline, paragraphs, headings."""

from __future__ import annotations

from itertools import pairwise

from bot.importer.assemble import MAX_TITLE, Draft
from bot.importer.lines import byline_name, is_bullet, join_wrapped, looks_like_heading, width
from bot.importer.scraps import cut_at_end_marker, is_end_marker, is_junk_line, is_tracking_token

# Nobody hard-wraps prose wider than this; a longer line is a whole paragraph on one line.
_MAX_WRAP = 120


def parse_plain(text: str) -> Draft:
    units = [unit for block in _blocks(text) for unit in _block_units(block)]
    while units and is_tracking_token(units[0]):
        units.pop(0)

    draft = Draft()
    if not units:
        return draft
    if width(units[0]) <= MAX_TITLE:
        draft.title = units.pop(0)
    if units and draft.title is not None and byline_name(units[0]) is not None:
        draft.byline = byline_name(units.pop(0))

    for index, unit in enumerate(units):
        following = units[index + 1] if index + 1 < len(units) else None
        # A heading needs a paragraph under it; two short lines in a row are more likely prose.
        if following is not None and looks_like_heading(unit) and not looks_like_heading(following):
            draft.start_section(unit)
        else:
            draft.add_paragraph(unit)
    return draft


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines, with leftovers dropped and everything from a comment-form footer on cut."""
    lines = [line.strip() for line in text.splitlines()]
    lines = cut_at_end_marker(["" if is_junk_line(line) else line for line in lines])
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
    wrap = max((width(line) for line in block if width(line) <= _MAX_WRAP), default=0)
    units: list[str] = []
    current = block[0]
    for previous, line in pairwise(block):
        if _continues(previous, line, wrap):
            current = join_wrapped(current, line)
        else:
            units.append(current)
            current = line
    units.append(current)
    return units


def _continues(previous: str, line: str, wrap: int) -> bool:
    """Whether `line` is the same paragraph as `previous`, wrapped because the next word did not fit."""
    if width(previous) > _MAX_WRAP or width(line) > wrap:
        return False
    if is_bullet(line) or is_end_marker(line) or byline_name(line) or byline_name(previous):
        return False
    first_word = line.split()[0]
    return width(previous) + 1 + width(first_word) > wrap
