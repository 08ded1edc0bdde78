"""Splitting a reply into platform-sized messages on whole blocks, never inside markup.

Each adapter supplies how one neutral block renders (with its own escaping) and how its platform
measures length. A block too long for one message is cut in its *neutral* form, at a line break or a
space where possible, and each piece is rendered on its own, so a tag or an escape is never cut.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

from bot.types import Block, Heading, Paragraph, Quote, Span

RenderBlock = Callable[[Block], str]
Measure = Callable[[str], int]


def reusing(render: RenderBlock, keep: int = 512) -> RenderBlock:
    """`render`, remembering its last `keep` results: a section's paragraphs are shown again and again.
    Quotes hold comments (each different, up to 16,000 characters) and are never kept."""
    cached = functools.lru_cache(maxsize=keep)(render)

    def render_block(block: Block) -> str:
        return render(block) if isinstance(block, Quote) else cached(block)

    return render_block


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "".join(s.text for s in block.spans)
    return block.text


def cut_block(block: Block, at: int) -> tuple[Block, Block]:
    """The block's first `at` characters of plain text, and the rest, as blocks of the same kind."""
    if isinstance(block, Heading):
        return Heading(block.text[:at]), Heading(block.text[at:])
    if isinstance(block, Quote):
        return Quote(block.text[:at]), Quote(block.text[at:])
    head: list[Span] = []
    tail: list[Span] = []
    seen = 0
    for span in block.spans:
        if seen + len(span.text) <= at:
            head.append(span)
        elif seen >= at:
            tail.append(span)
        else:
            k = at - seen
            head.append(replace(span, text=span.text[:k]))
            tail.append(replace(span, text=span.text[k:]))
        seen += len(span.text)
    return Paragraph(tuple(head)), Paragraph(tuple(tail))


def _safe_cut(text: str, at: int) -> int:
    """Moves a cut back off a surrogate pair, a combining mark or a ZWJ sequence where it can."""
    while 0 < at < len(text) and (
        "\udc00" <= text[at] <= "\udfff" or text[at] in "\u200d\ufe0f" or text[at - 1] == "\u200d"
        or ord(text[at]) in range(0x0300, 0x0370) or "\U0001f3fb" <= text[at] <= "\U0001f3ff"
    ):
        at -= 1
    return at if at > 0 else 1


SENTENCE_ENDS = "。！？；…"  # Chinese and Japanese end sentences without a space after them


def _best_cut(text: str, limit_chars: int) -> int:
    """A cut within the first `limit_chars`, preferring a line break, then a space or the end of a Chinese
    sentence, in its last half."""
    window = text[:limit_chars]
    pos = window.rfind("\n")
    if pos >= limit_chars // 2:
        return pos  # the line break itself is dropped: the message break replaces it
    pos = max(window.rfind(" "), *(window.rfind(end) for end in SENTENCE_ENDS))
    if pos >= limit_chars // 2:
        return pos + 1
    return _safe_cut(text, limit_chars)


def fit_block(block: Block, render: RenderBlock, measure: Measure, limit: int) -> list[str]:
    """Renders `block` as one or more pieces, each within `limit` as `measure` counts."""
    pieces: list[str] = []
    rest: Block | None = block
    while rest is not None:
        rendered = render(rest)
        text = block_text(rest)
        if measure(rendered) <= limit or len(text) <= 1:
            pieces.append(rendered)
            break
        # binary search for the longest prefix whose rendering fits, then back off to a boundary
        low, high = 1, len(text) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if measure(render(cut_block(rest, mid)[0])) <= limit:
                low = mid
            else:
                high = mid - 1
        at = _best_cut(text, low)
        head, tail = cut_block(rest, at)
        if block_text(tail).startswith("\n"):
            tail = cut_block(tail, 1)[1]
        pieces.append(render(head))
        rest = tail if block_text(tail) else None
    return pieces


def pack(blocks: tuple[Block, ...] | list[Block], render: RenderBlock, measure: Measure, limit: int,
         separator: str = "\n\n") -> list[str]:
    """Whole rendered blocks packed greedily into messages of at most `limit`."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in fit_block(block, render, measure, limit):
            if not piece:
                continue
            candidate = piece if not current else current + separator + piece
            if measure(candidate) <= limit:
                current = candidate
            else:
                if current:
                    messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages
