"""Pacing IDENTIFY across a fleet: Discord accepts one IDENTIFY per "max_concurrency" bucket (shard id modulo
max_concurrency) every five seconds for the whole bot, whichever process sends it. Each bucket is a lease in the
database (the poller lease table) that lasts that long: a shard identifies once it holds it."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time

from bot.ports import Inbox
from bot.records import Lease

log = logging.getLogger("articlebot.discord")
IDENTIFY_SECONDS = 5.0
MARGIN_SECONDS = 0.5  # clocks of different machines differ a little


class IdentifyGate:
    def __init__(self, inbox: Inbox, max_concurrency: int = 1) -> None:
        self.inbox = inbox
        self.max_concurrency = max(1, max_concurrency)
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{secrets.token_hex(4)}"

    async def __call__(self, shard_id: int) -> None:
        bucket = f"discord-identify-{shard_id % self.max_concurrency}"
        while True:
            now = time.time()
            current = await self.inbox.poller_lease(bucket)
            if current is None or current.expires_at <= now:
                mine = Lease(self.holder, self.host, os.getpid(), now + IDENTIFY_SECONDS + MARGIN_SECONDS)
                if await self.inbox.claim_poller(bucket, mine, current.holder if current else None):
                    log.info("Discord: shard %s may identify now", shard_id)
                    return
                continue
            await asyncio.sleep(min(IDENTIFY_SECONDS, max(0.05, current.expires_at - now)))
