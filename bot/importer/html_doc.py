"""HTML pages: trafilatura finds the main content; we turn its XML into a title, intro and sections.

trafilatura and lxml are imported inside the functions: loading them takes a noticeable part of a second,
and the bot should start (and import plain text) without paying for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.errors import ImportRefused
from bot.i18n import N_
from bot.importer.assemble import Draft, squash
from bot.importer.lines import byline_name, looks_like_heading
from bot.importer.page_meta import page_meta
from bot.importer.scraps import is_end_marker, is_junk_line

if TYPE_CHECKING:
    from lxml.etree import _Element

# trafilatura's cost grows with the element count (about 0.1 ms each): this keeps a page under a few seconds.
MAX_ELEMENTS = 40_000
MAX_SECTION_LEVEL = 3
# Never content, and trafilatura drops them anyway; removing them first makes the element count honest.
# <script> stays: JSON-LD scripts carry the author and title.
_INERT_TAGS = ("style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed")
_LEVELS = {f"h{level}": level for level in range(1, 7)}
_PARAGRAPH_CHARS = 40  # what follows a heading-like line must look like prose, not another short line

NO_CONTENT_MESSAGE = N_("I could not find the article text on this page. Try sending the article as plain text.")


def parse_html(text: str) -> Draft:
    tree = _load(text)
    # trafilatura's own extractor alone first; its comparison with readability and jusText only when that
    # finds little. Recall is what matters here: the furniture it keeps, our filters drop (see scraps.py).
    xml = _extract(tree, fast=True)
    if xml is None or xml.count("<p") + xml.count("<head") < _FAST_ENOUGH_BLOCKS:
        xml = _extract(tree, fast=False) or xml
    if xml is None:
        raise ImportRefused(NO_CONTENT_MESSAGE)
    return _draft_from_xml(xml, tree)


# Fewer blocks than this from the fast pass (a page of bare <div>s comes out as one run-on paragraph): the
# comparison with the other extractors finds the page's own paragraphs
_FAST_ENOUGH_BLOCKS = 3


def _extract(tree: _Element, *, fast: bool) -> str | None:
    import trafilatura

    return trafilatura.extract(
        tree,
        output_format="xml",
        fast=fast,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=False,  # read by page_meta.py, without trafilatura's costly date guessing
    )


def _load(text: str) -> _Element:
    import lxml.etree
    import lxml.html

    # Parsing bytes sidesteps lxml's refusal of str input that carries an XML encoding declaration.
    # libxml2 caps nesting at 256 levels without huge_tree, so 100,000 nested <div>s cost nothing later.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ImportRefused(NO_CONTENT_MESSAGE) from exc
    lxml.etree.strip_elements(tree, *_INERT_TAGS, with_tail=False)
    count = sum(1 for _ in tree.iter())
    if count > MAX_ELEMENTS:
        raise ImportRefused("This page is too complex to read ({count} HTML elements; the limit is {limit}). "
                            "Try saving just the article, or send it as text.", count=format(count, ","),
                            limit=format(MAX_ELEMENTS, ","))
    return tree


def _draft_from_xml(xml: str, page: _Element) -> Draft:
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    doc = lxml.etree.fromstring(xml.encode("utf-8"), parser=parser)
    if doc is None:
        raise ImportRefused(NO_CONTENT_MESSAGE)
    main = doc.find("main")
    if main is None:
        raise ImportRefused(NO_CONTENT_MESSAGE)

    title, author, site = page_meta(page)
    draft = Draft(title=page_title(title, site, page) or None, byline=author)
    blocks = list(_blocks(main))
    if not any(0 < level <= MAX_SECTION_LEVEL for level, _ in blocks):
        blocks = _with_page_headings(blocks, page)
    if not any(0 < level <= MAX_SECTION_LEVEL for level, _ in blocks):
        blocks = _short_lines_as_headings(blocks)

    seen_text = False
    title_checked = False
    for level, content in blocks:
        if is_end_marker(content):
            break
        if not content or is_junk_line(content):
            continue
        if draft.title is not None and squash(content).casefold() == draft.title.casefold():
            continue  # the title again (a page's own <h1> after the site's chrome, or as a paragraph)
        if level and not title_checked:
            title_checked = True
            if not seen_text and (level == 1 or draft.title is None or _overlaps(content, draft.title)):
                # A heading above all text is the page's own title, not a section. An <h1> there names the
                # article better than metadata, which often carries the site name as well (or only).
                if level == 1 or draft.title is None:
                    draft.title = content
                continue
        if not level and not seen_text:
            # A "By ..." line above the text is the byline trafilatura sometimes leaves in.
            name = byline_name(content)
            if name is not None:
                draft.byline = draft.byline or name
                continue
        if 0 < level <= MAX_SECTION_LEVEL:
            draft.start_section(content)
        else:
            seen_text = True
            draft.add_paragraph(content)
    if draft.byline is None:
        draft.byline = _page_byline(page)
    return draft


_BYLINE_SCAN_CHARS = 80  # a byline is a short line; a longer text means the article itself has begun
_BODY_CHARS = 200


def _page_byline(page: _Element) -> str | None:
    """A byline the extractor left out with the page's chrome ("作者：王小明　2025年3月3日" in an info bar):
    the first short element above the article's text that reads as one."""
    for element in page.iter("p", "div", "span", "address", "a"):
        text = squash(element.text_content())
        if len(text) > _BODY_CHARS and element.tag == "p":
            return None
        if 0 < len(text) <= _BYLINE_SCAN_CHARS:
            name = byline_name(text)
            if name is not None:
                return name
    return None


# "Article | Site", "Article - Site", "Site: Article"...: how pages join their title and their site's name
_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ")
_SITE_NAME_WORDS = 4


def page_title(meta: str, sitename: str, page: _Element) -> str:
    """The article's title from the page's metadata, without the site's name that <title> tags carry
    ("The Bakery Revival | Kulu Media"): the page's own <h1> when the metadata contains it, else the
    metadata with a site-like part cut off."""
    if not meta:
        return meta
    for h1 in page.iter("h1"):
        heading = squash(h1.text_content())
        if heading and heading != meta and heading.casefold() in meta.casefold() and len(heading) >= 8:
            return heading
    site = sitename.casefold()
    for separator in _TITLE_SEPARATORS:
        if separator not in meta:
            continue
        first, _sep, last = meta.rpartition(separator)
        if last.casefold() == site or (not site and len(last.split()) <= _SITE_NAME_WORDS
                                       and len(first.split()) > len(last.split())):
            return first.strip()
        head, _sep, rest = meta.partition(separator)
        if site and head.casefold() == site:
            return rest.strip()
    return meta


def _with_page_headings(blocks: list[tuple[int, str]], page: _Element) -> list[tuple[int, str]]:
    """Put back the page's h1-h3 headings that trafilatura's fallback extractors leave out.

    On pages without an <article>/<main> or telling class names trafilatura falls back to extractors that
    keep paragraphs only. Each heading of the page goes back in front of the extracted paragraph that
    follows it on the page; headings whose paragraph was not extracted (sidebars, footers) stay out.
    """
    anchors: dict[str, list[tuple[int, str]]] = {}
    pending: list[tuple[int, str]] = []
    for element in page.iter("h1", "h2", "h3", "p", "li", "blockquote", "pre", "dd"):
        text = squash(element.text_content())
        if not text:
            continue
        if element.tag in ("h1", "h2", "h3"):
            pending.append((int(element.tag[1]), text))
        elif pending:
            anchors.setdefault(_anchor(text), pending)
            pending = []
    if not anchors:
        return blocks
    result: list[tuple[int, str]] = []
    for level, content in blocks:
        if not level:
            result.extend(anchors.pop(_anchor(content), ()))
        result.append((level, content))
    return result


def _short_lines_as_headings(blocks: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """On a page with no heading markup at all (bold text in <div>s), a short line that reads like a heading
    and is followed by a real paragraph is taken for one, as in a plain-text import."""
    result: list[tuple[int, str]] = []
    for index, (level, content) in enumerate(blocks):
        following = blocks[index + 1][1] if index + 1 < len(blocks) else ""
        if (not level and looks_like_heading(content) and len(following) >= _PARAGRAPH_CHARS
                and not looks_like_heading(following) and byline_name(content) is None):
            result.append((2, content))
        else:
            result.append((level, content))
    return result


def _anchor(text: str) -> str:
    return text[:80].casefold()


def _overlaps(a: str, b: str) -> bool:
    a, b = squash(a).casefold(), squash(b).casefold()
    return a in b or b in a


def _blocks(main: _Element) -> Iterator[tuple[int, str]]:
    """(heading level or 0, text) for each block of the extracted main content, in reading order."""
    for element in main:
        tag = element.tag
        if tag == "head":
            yield _LEVELS.get(str(element.get("rend", "")).lower(), 2), _text(element)
        elif tag == "list":
            for item in _items(element):
                yield 0, item
        elif tag == "quote" and element.find("p") is not None:
            for child in element:
                yield 0, _text(child)
        elif tag in ("table", "graphic"):
            continue
        elif tag == "div" and len(element):
            # trafilatura keeps a page's block-less <div> nesting: its paragraphs are inside
            yield from _blocks(element)
        else:
            yield 0, _text(element)


def _items(list_element: _Element, depth: int = 0) -> Iterator[str]:
    marker = "•" if depth == 0 else "◦"
    for item in list_element:
        if item.tag != "item":
            continue
        own = squash(_text(item, skip="list"))
        if own:
            yield f"{marker} {own}"
        for child in item:
            if child.tag == "list":
                yield from _items(child, depth + 1)


def _text(element: _Element, skip: str | None = None) -> str:
    """All text inside `element`; a <lb/> line break becomes a space so the words around it stay apart."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append(" ")
        elif child.tag != skip:
            parts.append(_text(child, skip))
        parts.append(child.tail or "")
    return squash("".join(parts))
