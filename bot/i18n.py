"""The one translation layer: gettext catalogs (bot/locale/, kept with Babel: see scripts/i18n) and the
language of the answer being written.

Everything the bot says is written through `_` and `ngettext`: whole sentences with named `{placeholders}`
filled after translation, never sentences glued from translated pieces. The language is a
context variable: the core sets it for each event (`speaking`), so a handler deep in the call stack writes in
the reader's language without passing it around, and concurrent events never see each other's.
Strings defined at import time (the command table, setting descriptions) are marked with `N_` and
translated where they are shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "articlebot"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
CHINESE = "zh"
LANGUAGES = (ENGLISH, CHINESE)
# the catalog folder of each language (Simplified Chinese is zh_Hans, as CLDR and Babel name it)
CATALOGS = {ENGLISH: "en", CHINESE: "zh_Hans"}
NAMES = {ENGLISH: "English", CHINESE: "简体中文"}
# what each platform calls the language, for menus: Telegram's language_code, Discord's locale
TELEGRAM_CODES = {CHINESE: "zh"}
DISCORD_LOCALES = {CHINESE: ("zh-CN",)}

_current: ContextVar[str] = ContextVar("articlebot_language", default=ENGLISH)


def normalize(code: str | None) -> str | None:
    """A platform's or a person's language code as one of LANGUAGES, or None when we have no catalog.
    Any Chinese the platforms send (zh, zh-hans, zh-CN, zh_SG, zh-Hant...) is answered in Simplified
    Chinese: it is the one Chinese catalog, and closer for a Traditional reader than English."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    if base in ("zh", "cmn", "chinese", "中文"):
        return CHINESE
    if base in ("en", "english"):
        return ENGLISH
    return None


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        folder = CATALOGS[ENGLISH]
    else:
        folder = CATALOGS.get(language, "")
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder])
    except OSError:  # no compiled catalog: the English message ids are the text
        return gettext.NullTranslations()


def current() -> str:
    return _current.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Within this block, `_` and friends answer in `language` (English when None or unknown)."""
    chosen = language if language in LANGUAGES else ENGLISH
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def _(message: str) -> str:
    return _catalog(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog(_current.get()).pgettext(context, message)


class Msg(str):
    """A catalog message used as a placeholder's value (a usage line, a kind of file): translated when the
    sentence around it is formatted, in that sentence's language."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(str(self)), spec)


class Later:
    """A value written in the reader's language when the sentence around it is formatted: an error raised
    while answering the chat may be shown in the sender's language, and a duration inside it must follow."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: Callable[..., str], *args: Any) -> None:
        self.fn = fn
        self.args = args

    def __format__(self, spec: str) -> str:
        return format(self.fn(*self.args), spec)

    def __str__(self) -> str:
        return self.fn(*self.args)


def N_(message: str) -> str:
    """Marks a string for the catalogs without translating it: it is translated where it is shown."""
    return message


def in_language(language: str, message: str) -> str:
    """One message in a given language, whatever the current one (menus are built for every language)."""
    with speaking(language):
        return _(message)
