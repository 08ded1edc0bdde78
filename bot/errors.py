"""The one error type for expected failures: its message is shown to the user as it is."""


class BotError(Exception):
    """A failure the user caused or can fix; `str(err)` is a plain-words answer for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ImportRefused(BotError):
    """An article file that cannot be imported (empty, binary, too large, no text)."""
