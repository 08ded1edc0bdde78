"""Bytes to text: refuse binary files by their signature, then decode with a short list of encodings."""

from __future__ import annotations

import codecs
import re

from bot.errors import ImportRefused
from bot.i18n import N_, Msg

META_WINDOW = 4096  # HTML puts <meta charset> in its first bytes; the standard says 1024, pages overshoot

# Users send the wrong file more often than a broken one, so the refusal names what they actually sent.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", N_("a PDF file")),
    (b"PK\x03\x04", N_("a ZIP archive (or a Word/EPUB document)")),
    (b"PK\x05\x06", N_("a ZIP archive")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("an old Microsoft Office document")),
    (b"\x89PNG\r\n\x1a\n", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF87a", N_("a GIF image")),
    (b"GIF89a", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"Rar!\x1a\x07", N_("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive")),
    (b"{\\rtf", N_("an RTF document")),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# A declared charset is only trusted for HTML, where it is part of the format; looked for near the top only.
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)

# Unicode category Cc minus the whitespace controls (tab, newlines, form feed).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HIGH_LATIN = re.compile(r"[^\x00-\x7f]")
_MAX_CONTROL_RATIO = 0.02
# Western text has a few accented letters; CJK or Cyrillic bytes read as cp1252 turn into mostly accents.
_MAX_HIGH_RATIO_FALLBACK = 0.3

BINARY_MESSAGE = N_("This looks like a binary file, not an article. Send a text, Markdown or HTML file.")
UNDECODABLE_MESSAGE = N_("I could not read the text encoding of this file. Save it as UTF-8 and send it again.")


def refuse_known_binary(data: bytes) -> None:
    head = data[:16]
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            raise ImportRefused("This looks like {what}, not an article. Send a text, Markdown or HTML file.",
                                what=Msg(what))


def decode_bytes(data: bytes, *, html_hint: bool = False) -> str:
    """Text of `data`, or ImportRefused when it is binary or in an encoding we cannot tell."""
    refuse_known_binary(data)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise ImportRefused(UNDECODABLE_MESSAGE)
            return _checked(text)
    # Checked only after the BOMs: UTF-16 text is full of NUL bytes.
    if b"\x00" in data:
        raise ImportRefused(BINARY_MESSAGE)
    text = _strict(data, "utf-8")
    if text is None and html_hint:
        declared = _declared_charset(data)
        if declared is not None:
            text = _strict(data, declared)
    if text is None:
        text = _strict(data, "cp1252")
        if text is None or not _plausible_western(text):
            raise ImportRefused(UNDECODABLE_MESSAGE)
    return _checked(text)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):
        return None


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:META_WINDOW])
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page that says UTF-8 but is not valid UTF-8 gets the cp1252 fallback instead.
    if codec.startswith("utf"):
        return None
    # Browsers read pages labelled Latin-1 or ASCII as windows-1252, and so do their authors' editors.
    return "cp1252" if codec in ("iso8859-1", "ascii") else codec


def _plausible_western(text: str) -> bool:
    visible = len(text) - sum(1 for ch in text if ch.isspace())
    if visible == 0:
        return True
    return len(_HIGH_LATIN.findall(text)) <= _MAX_HIGH_RATIO_FALLBACK * visible


def _checked(text: str) -> str:
    # A byte-order mark left at the start (e.g. written twice by an editor) is not part of the title.
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise ImportRefused(BINARY_MESSAGE)
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, _MAX_CONTROL_RATIO * len(text)):
        raise ImportRefused(BINARY_MESSAGE)
    if controls:
        # A few stray control characters (a scraper's leftovers) would only confuse chat clients.
        text = _CONTROLS.sub("", text)
    return text
