"""Which parser a file needs: HTML, Markdown or plain text, by extension first and by content otherwise."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import PurePath

HEAD_CHARS = 4096  # enough of a document's start to tell HTML from Markdown or text


class Format(Enum):
    HTML = "html"
    MARKDOWN = "markdown"
    PLAIN = "plain"


HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})

# A page saved from a browser starts with one of these, possibly after an XML prolog or a comment.
_HTML_START = re.compile(
    r"(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,500}?-->\s*)*<(?:!doctype\s+html|html|head|body|article)\b",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_TAG = re.compile(
    r"<(p|div|h[1-6]|section|main|header|table|ul|ol|dl|blockquote|figure|pre)\b[^<>]{0,2000}>", re.IGNORECASE
)
_DOCUMENT_TAG = re.compile(r"<(?:html|body|article)\b[^<>]{0,500}>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>]{0,2000})?/?>")
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_SNIFF_CHARS = 200_000
_MIN_TAGS = 5
# Share of characters inside tags above which text is markup, not prose that mentions a tag or two.
_TAG_DOMINATED = 0.25


def suffix(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


def detect_format(text: str, filename: str | None = None) -> Format:
    ext = suffix(filename)
    if ext in HTML_SUFFIXES:
        return Format.HTML
    if ext in MARKDOWN_SUFFIXES:
        return Format.MARKDOWN
    start = text.lstrip()[:HEAD_CHARS]
    if _HTML_START.match(start):
        return Format.HTML
    sample = text[:_SNIFF_CHARS]
    # Markdown before the looser HTML checks: a README may open with a centred <p> banner or show <body> in
    # a code sample, while HTML source has no lines starting with "# ".
    if _MARKDOWN_HEADING.search(sample):
        return Format.MARKDOWN
    # Prose does not open with a block tag; a fragment copied from a page's source (`<p>...</p>`) does.
    leading = _LEADING_TAG.match(start)
    if leading and f"</{leading.group(1).lower()}>" in sample.lower():
        return Format.HTML
    if _DOCUMENT_TAG.search(sample) or _tag_dominated(sample):
        return Format.HTML
    return Format.PLAIN


def looks_like_html_start(data: bytes) -> bool:
    """Cheap pre-decoding guess, only used to decide whether a declared <meta charset> may be trusted."""
    return data.lstrip()[:1] == b"<"


def _tag_dominated(sample: str) -> bool:
    tags = _TAG.findall(sample)
    return len(tags) >= _MIN_TAGS and sum(map(len, tags)) >= _TAG_DOMINATED * len(sample)
