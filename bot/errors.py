"""The one error type for expected failures: its message is shown to the user in plain words, in their
language."""

from __future__ import annotations

from bot.i18n import _


class BotError(Exception):
    """A failure the user caused or can fix. `message` is an English template from the catalogs with
    `{named}` placeholders; `str(err)` translates it into the language being spoken and fills them in, so
    the same error reads right whoever it is shown to."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        text = _(self.message)
        return text.format(**self.params) if self.params else text


class ImportRefused(BotError):
    """An article file that cannot be imported (empty, binary, too large, no text)."""


class RetryLater(ImportRefused):
    """The site asked us to come back later (429 with Retry-After): how many seconds it asked for."""

    def __init__(self, message: str, seconds: float, **params: object) -> None:
        super().__init__(message, **params)
        self.seconds = seconds
