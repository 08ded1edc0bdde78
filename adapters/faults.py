"""Named points where a test may end the process abruptly, to prove what a crash exactly there leaves
behind. Inert unless ARTICLEBOT_FAULT names a point (`telegram-after-store`, `telegram-after-effect`,
`telegram-after-answer`);
then the process exits with FAULT_EXIT the first time it reaches that point, as a SIGKILL would end it:
no cleanup, no flush, no goodbye."""

from __future__ import annotations

import os

FAULT_EXIT = 86
POINTS = frozenset({"telegram-after-store", "telegram-after-effect", "telegram-after-answer"})
_armed: str | None = None
_read = False


def fault_point(name: str) -> None:
    global _armed, _read
    if not _read:  # read once, on first use: nothing is looked up at import time
        _armed, _read = os.environ.get("ARTICLEBOT_FAULT") or None, True
    if _armed == name:
        os._exit(FAULT_EXIT)
