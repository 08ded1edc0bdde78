"""The inbox and the poller lease on PostgreSQL: updates stored before the platform hears they arrived."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import Lease
from storage.postgres.database import PgDatabase


class PgInboxQueries:
    db: PgDatabase

    async def inbox_add(self, platform: str, updates: Sequence[tuple[int, str]], now: float) -> list[int]:
        """Stores the updates; returns the ids not seen before (a platform may deliver one twice)."""
        if not updates:
            return []
        rows = await self.db.write(
            "INSERT INTO inbox(platform, update_id, payload, received_at)"
            " SELECT %s, u, p, %s FROM unnest(%s::bigint[], %s::text[]) AS t(u, p)"
            " ON CONFLICT DO NOTHING RETURNING update_id",
            (platform, now, [u for u, _ in updates], [p for _, p in updates]))
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
