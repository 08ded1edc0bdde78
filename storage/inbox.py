"""The inbox: platform updates stored durably before the platform is told they arrived."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.records import Lease
from storage.behind import WriteBehind
from storage.connection import Database


class InboxQueries:
    db: Database
    behind: WriteBehind

    async def inbox_add(self, platform: str, updates: Sequence[tuple[int, str]], now: float,
                        chats: Sequence[str] | None = None) -> list[int]:
        """Stores the updates; returns the ids not seen before (a platform may deliver one twice)."""

        def work(db: sqlite3.Connection) -> list[int]:
            fresh = []
            for index, (update_id, payload) in enumerate(updates):
                cur = db.execute(
                    "INSERT OR IGNORE INTO inbox(platform, update_id, payload, received_at, chat_key)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (platform, update_id, payload, now, chats[index] if chats is not None else None),
                )
                if cur.rowcount:
                    fresh.append(update_id)
            return fresh

        return await self.db.transaction(work) if updates else []

    async def inbox_open(self, platform: str, after: int = -1, limit: int = 500) -> list[tuple[int, str]]:
        """Unfinished updates in order, a page at a time (keyset on the update id)."""
        rows = await self.db.fetchall(
            "SELECT update_id, payload FROM inbox WHERE platform = ? AND done_at IS NULL AND update_id > ?"
            " ORDER BY update_id LIMIT ?",
            (platform, after, limit),
        )
        return [(int(r["update_id"]), str(r["payload"])) for r in rows]

    async def inbox_done(self, platform: str, update_ids: Sequence[int], now: float) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.executemany("UPDATE inbox SET done_at = ? WHERE platform = ? AND update_id = ?",
                           [(now, platform, update_id) for update_id in update_ids])

        if update_ids:
            await self.db.transaction(work)

    async def claim_chats(self, platform: str, holder: str, now: float, hold_seconds: float, limit: int
                          ) -> list[str]:
        def work(db: sqlite3.Connection) -> list[str]:
            chats = [str(r[0]) for r in db.execute(
                "SELECT DISTINCT i.chat_key FROM inbox i LEFT JOIN chat_claims c ON c.platform = i.platform"
                " AND c.chat_key = i.chat_key WHERE i.platform = ? AND i.done_at IS NULL AND i.chat_key IS NOT NULL"
                " AND (c.holder IS NULL OR c.holder = ? OR c.held_until < ?) LIMIT ?",
                (platform, holder, now, limit))]
            db.executemany("INSERT INTO chat_claims(platform, chat_key, holder, held_until) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT(platform, chat_key) DO UPDATE SET holder = excluded.holder,"
                           " held_until = excluded.held_until",
                           [(platform, chat, holder, now + hold_seconds) for chat in chats])
            return chats

        return await self.db.transaction(work)

    async def inbox_open_chat(self, platform: str, chat_key: str, limit: int) -> list[tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT update_id, payload FROM inbox WHERE platform = ? AND chat_key = ? AND done_at IS NULL"
            " ORDER BY update_id LIMIT ?", (platform, chat_key, limit))
        return [(int(r["update_id"]), str(r["payload"])) for r in rows]

    async def release_chat(self, platform: str, chat_key: str, holder: str) -> None:
        # readers' places trail their answers by a moment: written before another worker may take the chat
        await self.behind.flush()
        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM chat_claims WHERE platform = ? AND chat_key = ? AND holder = ?",
                       (platform, chat_key, holder))

        await self.db.transaction(work)

    async def reserve(self, key: str, interval: float, burst: int, now: float) -> float:
        def work(db: sqlite3.Connection) -> float:
            row = db.execute("SELECT tat FROM rate_limits WHERE key = ?", (key,)).fetchone()
            tat = max(float(row[0]) if row is not None else now, now) + interval
            db.execute("INSERT INTO rate_limits(key, tat) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET tat = ?",
                       (key, tat, tat))
            return max(0.0, tat - interval * burst - now)

        return await self.db.transaction(work)

    async def channel_marks(self, chat_keys: Sequence[str]) -> dict[str, int]:
        if not chat_keys:
            return {}
        marks = ",".join("?" for _ in chat_keys)
        rows = await self.db.fetchall(f"SELECT chat_key, message_id FROM channel_marks WHERE chat_key IN ({marks})",
                                      tuple(chat_keys))
        return {str(r[0]): int(r[1]) for r in rows}

    async def set_channel_marks(self, marks: dict[str, int]) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO channel_marks(chat_key, message_id) VALUES (?, ?) ON CONFLICT(chat_key)"
                           " DO UPDATE SET message_id = max(message_id, excluded.message_id)", list(marks.items()))

        if marks:
            await self.db.transaction(work)

    async def inbox_backlog(self, platform: str) -> int:
        row = await self.db.fetchone("SELECT count(*) AS n FROM inbox WHERE platform = ? AND done_at IS NULL",
                                     (platform,))
        return 0 if row is None else int(row["n"])

    async def inbox_last_id(self, platform: str) -> int | None:
        row = await self.db.fetchone("SELECT max(update_id) AS m FROM inbox WHERE platform = ?", (platform,))
        return None if row is None or row["m"] is None else int(row["m"])

    async def inbox_prune(self, platform: str, before: float) -> None:
        """Forgets finished updates older than `before`, keeping the newest so the offset survives."""

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "DELETE FROM inbox WHERE platform = ? AND done_at IS NOT NULL AND done_at < ?"
                " AND update_id < (SELECT max(update_id) FROM inbox WHERE platform = ?)",
                (platform, before, platform),
            )

        await self.db.transaction(work)

    async def poller_lease(self, platform: str) -> Lease | None:
        row = await self.db.fetchone("SELECT holder, host, pid, expires_at FROM pollers WHERE platform = ?",
                                     (platform,))
        return None if row is None else Lease(row[0], row[1], int(row[2]), float(row[3]))

    async def claim_poller(self, platform: str, lease: Lease, replacing: str | None) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            # compare and set: only over the holder the caller saw, so two starting processes can't both win
            if replacing is None:
                cur = db.execute("INSERT OR IGNORE INTO pollers(platform, holder, host, pid, expires_at)"
                                 " VALUES (?, ?, ?, ?, ?)",
                                 (platform, lease.holder, lease.host, lease.pid, lease.expires_at))
            else:
                cur = db.execute("UPDATE pollers SET holder = ?, host = ?, pid = ?, expires_at = ?"
                                 " WHERE platform = ? AND holder = ?",
                                 (lease.holder, lease.host, lease.pid, lease.expires_at, platform, replacing))
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def release_poller(self, platform: str, holder: str) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM pollers WHERE platform = ? AND holder = ?", (platform, holder))

        await self.db.transaction(work)
