"""One poller per bot and database. Telegram hands each update to one `getUpdates` consumer; two processes
polling for one bot take updates from each other and both fail with Conflict. So a process polls only while
it holds a lease in the database, renewed as it goes. A second process is refused at start with the reason;
a holder that crashed is replaced at once on its own machine (its pid is gone) and elsewhere when its lease
runs out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time

from adapters.base import AdapterStartError
from bot.ports import Inbox
from bot.records import Lease

log = logging.getLogger("articlebot.poller")
LEASE_SECONDS = 30.0
RENEW_SECONDS = 10.0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    return True


class PollerLease:
    def __init__(self, inbox: Inbox, platform: str, what: str) -> None:
        self.inbox = inbox
        self.platform = platform
        self.what = what
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{secrets.token_hex(4)}"
        self._renewer: asyncio.Task[None] | None = None
        self.lost = asyncio.Event()

    def _lease(self) -> Lease:
        return Lease(self.holder, self.host, os.getpid(), time.time() + LEASE_SECONDS)

    def _replaceable(self, current: Lease) -> bool:
        if current.holder == self.holder or current.expires_at < time.time():
            return True
        return current.host == self.host and current.pid != os.getpid() and not pid_alive(current.pid)

    async def acquire(self) -> None:
        for _ in range(3):  # another process may win a race; look again
            current = await self.inbox.poller_lease(self.platform)
            if current is not None and not self._replaceable(current):
                raise AdapterStartError(
                    f"Another articlebot process (pid {current.pid} on {current.host}) is already polling "
                    f"{self.what} for this bot with this database, and {self.what} allows only one. Stop it "
                    "first, or run several processes with a webhook (--webhook-url).")
            if await self.inbox.claim_poller(self.platform, self._lease(), None if current is None
                                             else current.holder):
                self._renewer = asyncio.create_task(self._renew(), name=f"{self.platform}-poller-lease")
                return
        raise AdapterStartError(f"Could not take the {self.what} polling lease: other processes keep starting.")

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                kept = await self.inbox.claim_poller(self.platform, self._lease(), self.holder)
            except Exception:
                log.exception("could not renew the %s polling lease; trying again", self.what)
                continue
            if not kept:
                log.error("another process took over polling %s; this one stops polling", self.what)
                self.lost.set()
                return

    async def release(self) -> None:
        if self._renewer is None:
            return
        self._renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._renewer
        self._renewer = None
        try:
            await self.inbox.release_poller(self.platform, self.holder)
        except Exception:
            log.exception("could not release the %s polling lease (it runs out by itself)", self.what)
