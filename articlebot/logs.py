"""Logging setup that keeps secrets out of every log line."""

from __future__ import annotations

import json
import logging
import time
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


class JsonLines(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for a log collector: time, level, logger, message, and the
    traceback when there is one. Runs after the redacting filter, so secrets are already gone."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure(level: str, secrets: Iterable[str], *, json_lines: bool = False) -> RedactSecrets:
    redactor = RedactSecrets(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # httpx logs every request URL at INFO, and Telegram URLs contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redactor
