"""Neutral replies as Discord markdown: user text escaped, split at 2000 characters per message."""

from __future__ import annotations

import re

from adapters.split import pack, reusing
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


render_block = reusing(_render)


def render_messages(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    return pack(reply.blocks, render_block, len, limit) or ["…"]
