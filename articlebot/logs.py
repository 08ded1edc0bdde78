"""Logging setup that keeps secrets out of every log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "«redacted»"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's final message (and traceback) before any handler prints it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.scrub(message)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def configure(level: str, secrets: Iterable[str]) -> RedactSecrets:
    redactor = RedactSecrets(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # httpx logs every request URL at INFO, and Telegram URLs contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redactor
