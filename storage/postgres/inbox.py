"""The inbox and the poller lease on PostgreSQL: updates stored before the platform hears they arrived."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import Lease
from storage.behind import WriteBehind
from storage.postgres.database import Conn, PgDatabase


class PgInboxQueries:
    db: PgDatabase
    behind: WriteBehind

    async def inbox_add(self, platform: str, updates: Sequence[tuple[int, str]], now: float,
                        chats: Sequence[str] | None = None) -> list[int]:
        """Stores the updates; returns the ids not seen before (a platform may deliver one twice)."""
        if not updates:
            return []
        rows = await self.db.write(
            "INSERT INTO inbox(platform, update_id, payload, received_at, chat_key)"
            " SELECT %s, u, p, %s, c FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(u, p, c)"
            " ON CONFLICT DO NOTHING RETURNING update_id",
            (platform, now, [u for u, _ in updates], [p for _, p in updates],
             list(chats) if chats is not None else [None] * len(updates)))
        fresh = {int(r[0]) for r in rows}
        return [u for u, _ in updates if u in fresh]

    async def inbox_open(self, platform: str, after: int = -1, limit: int = 500) -> list[tuple[int, str]]:
        """Unfinished updates in order, a page at a time (keyset on the update id)."""
        rows = await self.db.fetchall(
            "SELECT update_id, payload FROM inbox WHERE platform = %s AND done_at IS NULL AND update_id > %s"
            " ORDER BY update_id LIMIT %s", (platform, after, limit))
        return [(int(r[0]), str(r[1])) for r in rows]

    async def inbox_done(self, platform: str, update_ids: Sequence[int], now: float) -> None:
        if update_ids:
            await self.db.execute("UPDATE inbox SET done_at = %s WHERE platform = %s AND update_id = ANY(%s)",
                                  (now, platform, list(update_ids)))

    async def claim_chats(self, platform: str, holder: str, now: float, hold_seconds: float, limit: int
                          ) -> list[str]:
        async def work(conn: Conn) -> list[str]:
            # a chat claimed by another worker is skipped (its row locked, or its claim still running)
            cur = await conn.execute(
                "SELECT DISTINCT i.chat_key FROM inbox i LEFT JOIN chat_claims c ON c.platform = i.platform"
                " AND c.chat_key = i.chat_key WHERE i.platform = %s AND i.done_at IS NULL AND i.chat_key IS NOT NULL"
                " AND (c.holder IS NULL OR c.holder = %s OR c.held_until < %s) LIMIT %s",
                (platform, holder, now, limit))
            wanted = [str(r[0]) for r in await cur.fetchall()]
            if not wanted:
                return []
            cur = await conn.execute(
                "INSERT INTO chat_claims(platform, chat_key, holder, held_until)"
                " SELECT %s, k, %s, %s FROM unnest(%s::text[]) AS t(k)"
                " ON CONFLICT (platform, chat_key) DO UPDATE SET holder = excluded.holder,"
                " held_until = excluded.held_until"
                " WHERE chat_claims.holder = excluded.holder OR chat_claims.held_until < %s"
                " RETURNING chat_key", (platform, holder, now + hold_seconds, wanted, now))
            return [str(r[0]) for r in await cur.fetchall()]

        return await self.db.transaction(work)

    async def inbox_open_chat(self, platform: str, chat_key: str, limit: int) -> list[tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT update_id, payload FROM inbox WHERE platform = %s AND chat_key = %s AND done_at IS NULL"
            " ORDER BY update_id LIMIT %s", (platform, chat_key, limit))
        return [(int(r[0]), str(r[1])) for r in rows]

    async def release_chat(self, platform: str, chat_key: str, holder: str) -> None:
        # readers' places trail their answers by a moment: written before another worker may take the chat
        await self.behind.flush()
        await self.db.execute("DELETE FROM chat_claims WHERE platform = %s AND chat_key = %s AND holder = %s",
                              (platform, chat_key, holder))

    async def reserve(self, key: str, interval: float, burst: int, now: float) -> float:
        rows = await self.db.write(
            "INSERT INTO rate_limits AS r (key, tat) VALUES (%(key)s, %(now)s + %(interval)s) ON CONFLICT (key)"
            " DO UPDATE SET tat = GREATEST(r.tat, %(now)s) + %(interval)s RETURNING tat",
            {"key": key, "now": now, "interval": interval})
        return max(0.0, float(rows[0][0]) - interval * burst - now)

    async def channel_marks(self, chat_keys: Sequence[str]) -> dict[str, int]:
        if not chat_keys:
            return {}
        rows = await self.db.fetchall("SELECT chat_key, message_id FROM channel_marks WHERE chat_key = ANY(%s)",
                                      (list(chat_keys),))
        return {str(r[0]): int(r[1]) for r in rows}

    async def set_channel_marks(self, marks: dict[str, int]) -> None:
        if marks:
            await self.db.execute(
                "INSERT INTO channel_marks AS m (chat_key, message_id) SELECT k, i FROM unnest(%s::text[],"
                " %s::bigint[]) AS t(k, i) ON CONFLICT (chat_key) DO UPDATE SET message_id ="
                " GREATEST(m.message_id, excluded.message_id)", (list(marks), list(marks.values())))

    async def inbox_backlog(self, platform: str) -> int:
        row = await self.db.fetchone("SELECT count(*) FROM inbox WHERE platform = %s AND done_at IS NULL",
                                     (platform,))
        return 0 if row is None else int(row[0])

    async def inbox_last_id(self, platform: str) -> int | None:
        row = await self.db.fetchone("SELECT max(update_id) FROM inbox WHERE platform = %s", (platform,))
        return None if row is None or row[0] is None else int(row[0])

    async def inbox_prune(self, platform: str, before: float) -> None:
        """Forgets finished updates older than `before`, keeping the newest so the offset survives."""
        await self.db.execute(
            "DELETE FROM inbox WHERE platform = %s AND done_at IS NOT NULL AND done_at < %s"
            " AND update_id < (SELECT max(update_id) FROM inbox WHERE platform = %s)", (platform, before, platform))

    async def poller_lease(self, platform: str) -> Lease | None:
        row = await self.db.fetchone("SELECT holder, host, pid, expires_at FROM pollers WHERE platform = %s",
                                     (platform,))
        return None if row is None else Lease(row[0], row[1], int(row[2]), float(row[3]))

    async def claim_poller(self, platform: str, lease: Lease, replacing: str | None) -> bool:
        # compare and set: only over the holder the caller saw, so two starting processes can't both win
        if replacing is None:
            changed = await self.db.execute(
                "INSERT INTO pollers(platform, holder, host, pid, expires_at) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING", (platform, lease.holder, lease.host, lease.pid, lease.expires_at))
        else:
            changed = await self.db.execute(
                "UPDATE pollers SET holder = %s, host = %s, pid = %s, expires_at = %s"
                " WHERE platform = %s AND holder = %s",
                (lease.holder, lease.host, lease.pid, lease.expires_at, platform, replacing))
        return bool(changed)

    async def release_poller(self, platform: str, holder: str) -> None:
        await self.db.execute("DELETE FROM pollers WHERE platform = %s AND holder = %s", (platform, holder))
