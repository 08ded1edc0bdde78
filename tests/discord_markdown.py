"""Reads Discord message Markdown back into styled text, by the inline rules of simple-markdown, the parser
Discord's client uses (its published `defaultRules`: escape, strong, em, u, del, inlineCode, text, with
em / strong / u competing by match length). No maintained Python parser follows them: the one on PyPI
(discord-markdown-ast-parser 1.0.6) ignores backslash escapes, so the renderer is checked against this.
Only what the renderer produces is covered: no links, mentions, block quotes or headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

ESCAPE = re.compile(r"^\\([^0-9A-Za-z\s])")
STRONG = re.compile(r"^\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)")
UNDERLINE = re.compile(r"^__((?:\\[\s\S]|[^\\])+?)__(?!_)")
EM = re.compile(r"^\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
                r"|^\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s\*\\]|\*\*)|[^\s\*\\])+?)\*(?!\*)")
DEL = re.compile(r"^~~([\s\S]+?)~~(?!_)")
CODE = re.compile(r"^(`+)([\s\S]*?[^`])\1(?!`)")
TEXT = re.compile(r"^[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n\n| {2,}\n|\w+:\S|$)")


@dataclass(frozen=True)
class Run:
    text: str
    styles: frozenset[str]


def parse(source: str, styles: frozenset[str] = frozenset()) -> list[Run]:
    out: list[Run] = []
    rest = source
    while rest:
        if m := ESCAPE.match(rest):
            out.append(Run(m.group(1), styles))
        elif m := CODE.match(rest):
            out.append(Run(m.group(2), styles | {"code"}))
        else:
            # em, strong and underline share one precedence: the longest match wins (simple-markdown's
            # `quality`: strong +0.1, em +0.2 over the match length)
            best: tuple[float, re.Match[str], str] | None = None
            for pattern, style, bonus in ((STRONG, "bold", 0.1), (EM, "italic", 0.2), (UNDERLINE, "underline", 0.0)):
                found = pattern.match(rest)
                if found and (best is None or len(found.group(0)) + bonus > best[0]):
                    best = (len(found.group(0)) + bonus, found, style)
            if best is not None:
                m, style = best[1], best[2]
                inner = next(g for g in m.groups() if g is not None)
                out.extend(parse(inner, styles | {style}))
            elif m := DEL.match(rest):
                out.extend(parse(m.group(1), styles | {"strike"}))
            elif m := TEXT.match(rest):
                out.append(Run(m.group(0), styles))
            else:  # pragma: no cover - TEXT matches at least one character
                raise AssertionError(rest)
        rest = rest[len(m.group(0)):]
    return out


def styles_by_character(runs: list[Run]) -> list[tuple[str, frozenset[str]]]:
    """Each visible character with its styles (the zero-width spaces the renderer adds drop out)."""
    return [(ch, run.styles) for run in runs for ch in run.text if ch != "\u200b"]
