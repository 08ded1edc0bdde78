"""A page's bytes as text: the charset from the HTTP header, else the page's own meta tag, else detection
(GBK, Shift-JIS and windows-1251 pages are common and often say nothing)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from bot.errors import ImportRefused

META_WINDOW = 4096  # HTML puts <meta charset> in its first bytes; the standard says 1024, pages overshoot

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# what browsers actually use for these labels (the WHATWG Encoding standard)
_BROWSER_NAMES = {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030",
                  "shift_jis": "cp932"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _BROWSER_NAMES.get(name, name)


def _strict(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):
        return None


def decode_page(data: bytes, header_charset: str | None, *, html: bool) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is not None:
                return text
    text = _strict(data, _codec(header_charset))
    if text is None and html:
        match = _META_CHARSET.search(data[:META_WINDOW])
        text = _strict(data, _codec(match.group(1).decode("ascii", "replace")) if match else None)
    if text is None:
        text = _strict(data, "utf-8")
    if text is None:
        best = from_bytes(data[:200_000]).best()
        text = _strict(data, _codec(best.encoding) if best else None)
    if text is None:
        raise ImportRefused("I could not read the text encoding of that page.")
    return text
