"""Telegram's ``parse_mode="HTML"``, as the Bot API server applies it.

A port of the rules in tdlib's ``parse_html`` (the code behind the Bot API server): the same tag
set, the same attribute handling and the same error texts ("Unsupported start tag "x" at byte
offset N", "Can't find end tag corresponding to start tag "b"", ...). Offsets in the returned
entities are UTF-16 code units, as in the Bot API.

One deliberate difference: tdlib keeps a bare ``&`` that does not start a known entity as a
literal ``&``. The Bot API documentation, however, requires every ``&`` outside an entity to be
escaped, and a bot that forgets to escape user text will sooner or later send ``<`` too. With
``strict=True`` (the default) such an ``&`` is an error; ``strict=False`` is exactly tdlib.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "TelegramHTMLError",
    "check_html",
    "parse_html",
    "strip_text",
    "utf16_len",
]

_SPACES = " \t\r\n\v\f"
_SPECIAL = re.compile("[&<]")
_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip


class TelegramHTMLError(ValueError):
    """The text is not valid Telegram HTML; ``description`` is what Telegram would say."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram's limits and entity offsets count."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _is_name_char(ch: str) -> bool:
    return bool(ch) and (ch.isascii() and ch.isalnum() or ch in ".-")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference starting at ``text[pos] == "&"`` as tdlib does.

    Returns ``(character, index after it)`` or None if this ``&`` does not start one. The ``;``
    is optional, as in tdlib.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        hexadecimal = end < n and text[end] == "x"
        if hexadecimal:
            end += 1
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        start = end
        while end < n and text[end] in digits:
            end += 1
        if end == start or end - pos >= 10:
            return None
        code = int(text[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise TelegramHTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        end += 1
    return char, end


class _Parser:
    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.i = 0
        self.out: list[str] = []
        self.u16 = 0
        self.entities: list[dict[str, Any]] = []
        # open tags: (name, argument, utf16 offset where it starts, index into self.out)
        self.stack: list[tuple[str, str, int, int]] = []

    def at(self, k: int) -> str:
        return self.text[k] if k < len(self.text) else ""

    def error(self, message: str, index: int) -> TelegramHTMLError:
        return TelegramHTMLError(f"{message} at byte offset {_byte_offset(self.text, index)}")

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.u16 += utf16_len(chunk)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c == "&":
                decoded = _decode_entity(text, self.i)
                if decoded is not None:
                    self.emit(decoded[0])
                    self.i = decoded[1]
                    continue
                if self.strict:
                    raise self.error(
                        "Character '&' must be escaped as &amp; (the Bot API requires it; "
                        "FakeTelegram strict mode)",
                        self.i,
                    )
                self.emit(c)
                self.i += 1
                continue
            if c == "<":
                if self.at(self.i + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
                self.i += 1  # past ">"
                continue
            # plain text up to the next entity or tag, in one piece (the benchmarks send whole sections)
            special = _SPECIAL.search(text, self.i)
            end = special.start() if special else len(text)
            self.emit(text[self.i:end])
            self.i = end
        if self.stack:
            raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def skip_spaces(self) -> None:
        while self.at(self.i) and self.at(self.i) in _SPACES:
            self.i += 1

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
            self.i += 1
        if not self.at(self.i):
            raise self.error("Unclosed start tag", begin)
        tag = self.text[begin + 1 : self.i].lower()
        if tag not in _TAGS:
            raise self.error(f'Unsupported start tag "{tag}"', begin)
        argument = ""
        while self.at(self.i) != ">":
            self.skip_spaces()
            if self.at(self.i) == ">":
                break
            if not self.at(self.i):
                raise self.error(f'Unclosed start tag "{tag}"', begin)
            name_begin = self.i
            while self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) not in "=>":
                self.i += 1
            name = self.text[name_begin : self.i]
            if not name:
                raise self.error(f'Empty attribute name in the tag "{tag}"', begin)
            self.skip_spaces()
            if self.at(self.i) != "=":
                if tag == "blockquote" and name == "expandable" and self.at(self.i):
                    argument = "expandable"
                    continue
                if not self.at(self.i):
                    raise self.error(f'Unclosed start tag "{tag}"', begin)
                raise self.error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            self.i += 1
            self.skip_spaces()
            if not self.at(self.i):
                raise self.error(f'Unclosed start tag "{tag}"', begin)
            value = self.attribute_value()
            if not self.at(self.i):
                raise self.error("Unclosed start tag", begin)
            argument = self.argument_for(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        if tag == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise TelegramHTMLError("Invalid custom emoji identifier specified")
        self.stack.append((tag, argument, self.u16, len(self.out)))

    def attribute_value(self) -> str:
        quote = self.at(self.i)
        if quote not in ("'", '"'):
            begin = self.i
            while _is_name_char(self.at(self.i)):
                self.i += 1
            if self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
                raise self.error("Unexpected end of name token", begin)
            return self.text[begin : self.i].lower()
        self.i += 1
        chars: list[str] = []
        while self.at(self.i) and self.at(self.i) != quote:
            if self.at(self.i) == "&":
                decoded = _decode_entity(self.text, self.i)
                if decoded is not None:
                    chars.append(decoded[0])
                    self.i = decoded[1]
                    continue
            chars.append(self.text[self.i])
            self.i += 1
        if self.at(self.i) == quote:
            self.i += 1
        return "".join(chars)

    @staticmethod
    def argument_for(tag: str, name: str, value: str, current: str) -> str:
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value[len("language-") :]
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value[len("tg-") :]
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        return current  # unknown attributes are ignored, as by Telegram

    def end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise self.error("Unexpected end tag", begin)
        self.i += 2
        while self.at(self.i) and self.at(self.i) not in _SPACES and self.at(self.i) != ">":
            self.i += 1
        end_name = self.text[begin + 2 : self.i].lower()
        self.skip_spaces()
        if self.at(self.i) != ">":
            raise self.error("Unclosed end tag", begin)
        tag, argument, offset, out_index = self.stack.pop()
        if end_name and end_name != tag:
            raise TelegramHTMLError(
                f"Unmatched end tag at byte offset {_byte_offset(self.text, begin)}, "
                f'expected "</{tag}>", found "</{end_name}>"'
            )
        length = self.u16 - offset
        if length > 0:
            self.add_entity(tag, argument, offset, length, "".join(self.out[out_index:]))

    def add_entity(self, tag: str, argument: str, offset: int, length: int, inner: str) -> None:
        entity: dict[str, Any] = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag]
        elif tag == "a":
            url = argument or inner
            if not url or any(ch in _SPACES for ch in url.strip()):
                return
            entity.update(type="text_link", url=url)
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == "pre":
            if last is not None and same_span and last["type"] == "code" and last.get("language"):
                # <pre><code class="language-x">...</code></pre> is one pre entity with a language
                entity.update(type="pre", language=self.entities.pop()["language"])
            else:
                entity["type"] = "pre"
        elif tag == "code":
            if last is not None and same_span and last["type"] == "pre" and argument:
                self.entities.pop()
                entity.update(type="pre", language=argument)
            else:
                entity["type"] = "code"
                if argument:
                    entity["language"] = argument  # internal; folded into a surrounding <pre>
        self.entities.append(entity)


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain text, Bot API MessageEntity dicts)``.

    Raises TelegramHTMLError with Telegram's description of the problem.
    """
    plain, entities = _Parser(text, strict).run()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return plain, entities


def check_html(text: str, *, strict: bool = True) -> str:
    """Validate Telegram HTML and return the plain text left after entity parsing."""
    return parse_html(text, strict=strict)[0]


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim leading/trailing whitespace as Telegram does for message texts and captions,
    shifting and clipping entities to match (entities left empty are dropped)."""
    stripped = text.strip()
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
