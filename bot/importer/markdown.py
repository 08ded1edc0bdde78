"""Markdown: `#` title, `##`/`###` sections, paragraphs turned into the plain words the bot shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.assemble import MAX_TITLE, Draft, visible
from bot.importer.lines import byline_name, join_wrapped, width
from bot.importer.scraps import is_end_marker, is_junk_line, is_tracking_token

MAX_SECTION_LEVEL = 3

# Block rules run on stripped lines, so none of them can backtrack over long runs of indentation.
_FENCE = re.compile(r"`{3,}|~{3,}")
_ITEM = re.compile(r"(?:([-*+])|(\d{1,9}[.)]))[ \t]+(.*)")
_QUOTE = re.compile(r"(?:>[ \t]?)+")
_LINK_DEFINITION = re.compile(r"\[[^\[\]]+\]:[ \t]*\S+.*")

# Inline rules. Spans never cross their own marker character, which keeps every rule linear on any input.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE_SPAN = re.compile(r"(?<!`)(`++)([^`]+?)\1(?!`)")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_EMPHASIS = (
    ("**", re.compile(r"\*\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*\*")),
    ("__", re.compile(r"(?<!\w)__(?=[^\s_])([^_]+?)(?<=[^\s_])__(?!\w)")),
    ("~~", re.compile(r"~~(?=[^\s~])([^~]+?)(?<=[^\s~])~~")),
    ("*", re.compile(r"\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*")),
    ("_", re.compile(r"(?<!\w)_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)")),
)
_MARKS = ("\\", "`", "[", "<", "*", "_", "~")
# Protected spans (code, escapes) hide behind control characters, which decoding already removed.
_HOLE = re.compile("\x02(\\d+)\x03")


@dataclass
class _Block:
    heading_level: int = 0
    lines: list[str] = field(default_factory=list)
    list_item: bool = False
    code: bool = False


def parse_markdown(text: str) -> Draft:
    front_title, front_author, body = _front_matter(_strip_comments(text).splitlines())
    blocks = [block for block in _blocks(body) if block.lines]
    # Banners above the title (a logo image, a centred <p>, a tracking token) carry no words worth keeping.
    while blocks and not blocks[0].heading_level and _is_banner(blocks[0]):
        blocks.pop(0)
    draft = Draft(title=front_title, byline=front_author)

    if blocks and draft.title is None:
        first = blocks[0]
        if first.heading_level:
            draft.title = inline_text(first.lines[0])
            blocks.pop(0)
        elif width(first.lines[0]) <= MAX_TITLE:
            draft.title = inline_text(first.lines.pop(0))
            if not first.lines:
                blocks.pop(0)
    elif blocks and blocks[0].heading_level and _same(inline_text(blocks[0].lines[0]), draft.title):
        blocks.pop(0)

    if blocks and draft.byline is None and not blocks[0].heading_level:
        name = byline_name(inline_text(blocks[0].lines[0]))
        if name is not None:
            draft.byline = name
            blocks[0].lines.pop(0)

    for block in blocks:
        if not block.lines:
            continue
        # Code keeps its asterisks and underscores: they are program text, not emphasis.
        content = " ".join(block.lines) if block.code else _join(block.lines)
        if is_end_marker(content):
            break
        if is_junk_line(content):
            continue
        if 0 < block.heading_level <= MAX_SECTION_LEVEL:
            draft.start_section(content)
        else:
            draft.add_paragraph(content)
    return draft


def inline_text(text: str) -> str:
    """The words of one line or paragraph of Markdown, without markup; link text kept, addresses dropped."""
    if not any(mark in text for mark in _MARKS):
        return text
    holes: list[str] = []

    def hide(value: str) -> str:
        holes.append(value)
        return f"\x02{len(holes) - 1}\x03"

    if "\\" in text:
        text = _ESCAPE.sub(lambda m: hide(m.group(1)), text)
    if "`" in text:
        text = _CODE_SPAN.sub(lambda m: hide(m.group(2).strip()), text)
    if "[" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub("", text))
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub("", _AUTOLINK.sub(r"\1", text))
    # Nested emphasis (`**bold *and italic***`) unwraps one layer per pass.
    for _ in range(3):
        before = text
        for marker, rule in _EMPHASIS:
            if marker in text:
                text = rule.sub(r"\1", text)
        if text == before:
            break
    return _HOLE.sub(lambda m: holes[int(m.group(1))], text) if holes else text


def _is_banner(block: _Block) -> bool:
    text = _join(block.lines)
    return not visible(text) or (len(block.lines) == 1 and is_tracking_token(text))


def _same(a: str, b: str | None) -> bool:
    return b is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _join(lines: list[str]) -> str:
    return inline_text(join_wrapped(lines))


def _strip_comments(text: str) -> str:
    if "<!--" not in text:
        return text
    parts: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        parts.append(text[position:start])
        if end == -1:
            position = len(text)
            break
        position = end + 3
    parts.append(text[position:])
    return "".join(parts)


def _front_matter(lines: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Title and author from a leading YAML block (`---` ... `---`), as static site generators write it."""
    if not lines or lines[0].strip() != "---":
        return None, None, lines
    for end in range(1, min(len(lines), 100)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return None, None, lines
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("title", "author") and not line[:1].isspace():
            fields[key.strip().lower()] = value.strip().strip("\"'").strip()
    return fields.get("title") or None, fields.get("author") or None, lines[end + 1 :]


def _atx_heading(line: str) -> tuple[int, str] | None:
    level = len(line) - len(line.lstrip("#"))
    if not 1 <= level <= 6 or (len(line) > level and line[level] not in " \t"):
        return None
    text = line[level:].strip()
    closed = text.rstrip("#")
    # `## Title ##` closes the heading; `## C#` is a heading about C#.
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.strip()
    return level, text


def _is_rule(line: str, marks: str, minimum: int) -> bool:
    """A line made of one repeated mark (`---`, `* * *`, `===`), spaces allowed between."""
    compact = line.replace(" ", "").replace("\t", "")
    return len(compact) >= minimum and compact[0] in marks and compact == compact[0] * len(compact)


def _is_table_rule(line: str) -> bool:
    return "-" in line and "|" in line and not set(line) - set("|:- \t")


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    paragraph = _Block()
    fence: str | None = None

    def flush() -> None:
        nonlocal paragraph
        if paragraph.lines:
            blocks.append(paragraph)
        paragraph = _Block()

    for raw in lines:
        line = raw.strip()
        if fence is not None:
            if line.startswith(fence):
                fence = None
                flush()
            elif line:
                paragraph.lines.append(line)
                paragraph.code = True
            continue
        if not line:
            flush()
            continue
        indented = raw.startswith(("    ", "\t"))
        if not indented and (fence_match := _FENCE.match(line)):
            flush()
            fence = fence_match.group(0)
            continue
        if not indented and (atx := _atx_heading(line)):
            flush()
            blocks.append(_Block(atx[0], [atx[1]]))
            continue
        if line[0] in "=-" and line == line[0] * len(line) and paragraph.lines and not paragraph.list_item:
            level = 1 if line.startswith("=") else 2
            blocks.append(_Block(level, [" ".join(paragraph.lines)]))
            paragraph = _Block()
            continue
        if _is_rule(line, "-*_", 3) or _is_table_rule(line) or _LINK_DEFINITION.fullmatch(line):
            flush()
            continue
        if quote := _QUOTE.match(line):
            line = line[quote.end() :].strip()
            if not line:
                flush()
                continue
        if item := _ITEM.fullmatch(line):
            flush()
            marker = "•" if item.group(1) else item.group(2)
            paragraph.lines.append(f"{marker} {item.group(3)}")
            paragraph.list_item = True
            continue
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            flush()
            cells = [cell.strip() for cell in line[1:-1].split("|")]
            blocks.append(_Block(0, [" | ".join(cell for cell in cells if cell)]))
            continue
        paragraph.lines.append(line)
    flush()
    return blocks
