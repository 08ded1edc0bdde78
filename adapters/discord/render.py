"""Neutral replies as Discord markdown: user text escaped, split at 2000 characters per message."""

from __future__ import annotations

import re

from adapters.discord.limits import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT, MESSAGE_LIMIT  # noqa: F401  (re-exported)
from adapters.split import pack, reusing
from bot.types import Block, Heading, Paragraph, Quote, Reply, Style

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
    out: list[str] = []
    for span in block.spans:
        text = _styled(span.text, span.style)
        if not text:
            continue
        if out and _MARKERS.match(text) and _MARKERS.search(out[-1]):
            # two styled spans side by side would run their markers together (`**a***b*` reads as bold "a*"):
            # a zero-width space keeps them apart without showing
            out.append(ZERO_WIDTH_SPACE)
        out.append(text)
    return "".join(out)


ZERO_WIDTH_SPACE = "\u200b"
_MARKERS = re.compile(r"^[*`]|[*`]$")
_EDGE_SPACE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def _styled(raw: str, style: Style) -> str:
    if style is Style.PLAIN:
        return esc(raw)
    # Discord's emphasis needs no space inside its markers (`* a*` is not italic): edge spaces go outside
    lead, core, trail = _EDGE_SPACE.match(raw).groups()  # type: ignore[union-attr]
    if not core:
        return raw
    if style is Style.BOLD:
        inner = f"**{esc(core)}**"
    elif style is Style.ITALIC:
        inner = f"*{esc(core)}*"
    else:
        inner = f"`{core.replace('`', 'ˋ')}`"  # no escapes inside code: a backtick can't be escaped
    return lead + inner + trail


render_block = reusing(_render)


def render_messages(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    return pack(reply.blocks, render_block, len, limit) or ["…"]
