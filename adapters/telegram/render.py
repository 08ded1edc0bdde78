"""Neutral replies as Telegram HTML: every user string escaped, split at 4096 UTF-16 units per message."""

from __future__ import annotations

import html

from adapters.split import pack, reusing, utf16_len
from adapters.telegram.limits import BUTTON_LABEL_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT  # noqa: F401  (re-exported)
from bot.types import Block, Button, Heading, Paragraph, Quote, Reply, Style

_TAGS = {Style.BOLD: "b", Style.ITALIC: "i", Style.CODE: "code"}


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _render(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<b>{esc(block.text)}</b>"
    if isinstance(block, Quote):
        return f"<blockquote>{esc(block.text)}</blockquote>"
    assert isinstance(block, Paragraph)
    out = []
    for span in block.spans:
        tag = _TAGS.get(span.style)
        out.append(f"<{tag}>{esc(span.text)}</{tag}>" if tag else esc(span.text))
    return "".join(out)


render_block = reusing(_render)


def render_messages(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The reply as HTML message texts, each within `limit` UTF-16 units; never empty."""
    return pack(reply.blocks, render_block, utf16_len, limit) or ["…"]


def label(button: Button) -> str:
    return button.label[:BUTTON_LABEL_LIMIT] or "·"
