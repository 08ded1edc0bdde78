"""Neutral replies as Discord markdown: user text escaped, split at 2000 characters per message."""

from __future__ import annotations

import functools
import re

from adapters.split import pack
from bot.types import Block, Heading, Paragraph, Quote, Reply, Style

MESSAGE_LIMIT = 2000
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100

# Everything Discord markdown gives meaning to, escaped with a backslash: emphasis, code, spoilers,
# quotes, headings, lists, masked links and mentions' angle brackets. Escaping `@` is not needed:
# messages go out with AllowedMentions.none(), so a mention renders but never pings.
_SPECIAL = re.compile(r"([\\*_~`|>#\-\[\]()<:])")


def esc(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def render_block(block: Block) -> str:
    # quotes hold comments (each different, up to 16,000 characters): not worth keeping
    return _render(block) if isinstance(block, Quote) else _render_cached(block)


@functools.lru_cache(maxsize=512)  # a section's paragraphs are shown again and again: rendered once each
def _render_cached(block: Block) -> str:
    return _render(block)


def _render(block: Block) -> str:
    if isinstance(block, Heading):
        return f"**{esc(block.text)}**"
    if isinstance(block, Quote):
        return "\n".join("> " + esc(line) if line else ">" for line in block.text.split("\n"))
    assert isinstance(block, Paragraph)
    out = []
    for span in block.spans:
        text = esc(span.text)
        if not text:
            continue
        if span.style is Style.BOLD:
            text = f"**{text}**"
        elif span.style is Style.ITALIC:
            text = f"*{text}*"
        elif span.style is Style.CODE:
            text = f"`{span.text.replace('`', 'ˋ')}`"  # no escapes inside code: a backtick can't be escaped
        out.append(text)
    return "".join(out)


def render_messages(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    return pack(reply.blocks, render_block, len, limit) or ["…"]
