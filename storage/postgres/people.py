"""One person's accounts on PostgreSQL (see storage/people.py)."""

from __future__ import annotations

from storage.people import ACCOUNTS_OF, RENAME
from storage.postgres.database import Conn, PgDatabase, one

PG_ACCOUNTS_OF = ACCOUNTS_OF.replace("?", "%s")


async def person_of(conn: Conn, user_key: str, *, lock: bool = False) -> str | None:
    row = await one(conn, "SELECT person_key FROM people WHERE user_key = %s" + (" FOR UPDATE" if lock else ""),
                    (user_key,))
    return str(row[0]) if row is not None else None


class PgPeopleQueries:
    db: PgDatabase

    async def person_accounts(self, user_key: str) -> list[tuple[str, str]]:
        rows = await self.db.fetchall(PG_ACCOUNTS_OF, (user_key,))
        return [(str(r[0]), str(r[1])) for r in rows]

    async def link_person(self, user_key: str, owner_key: str, now: float) -> None:
        async def work(conn: Conn) -> None:
            # one person changes at a time: two links racing would otherwise each see the other's old person
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('people'))")
            found = await person_of(conn, owner_key)
            person = found or owner_key
            if found is None:
                await conn.execute("INSERT INTO people(user_key, person_key, linked_at) VALUES (%s, %s, %s)",
                                   (owner_key, person, now))
            mine = await person_of(conn, user_key)
            if mine is not None:
                await conn.execute("UPDATE people SET person_key = %s WHERE person_key = %s", (person, mine))
            await conn.execute("INSERT INTO people(user_key, person_key, linked_at) VALUES (%s, %s, %s)"
                               " ON CONFLICT (user_key) DO UPDATE SET person_key = excluded.person_key",
                               (user_key, person, now))

        await self.db.transaction(work)

    async def unlink_person(self, user_key: str) -> bool:
        async def work(conn: Conn) -> bool:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('people'))")
            person = await person_of(conn, user_key)
            if person is None:
                return False
            await conn.execute("DELETE FROM people WHERE user_key = %s", (user_key,))
            cur = await conn.execute("SELECT user_key FROM people WHERE person_key = %s ORDER BY linked_at, user_key",
                                     (person,))
            rest = [str(r[0]) for r in await cur.fetchall()]
            if len(rest) == 1:
                await conn.execute("DELETE FROM people WHERE user_key = %s", (rest[0],))
            elif rest and person == user_key:
                await conn.execute("UPDATE people SET person_key = %s WHERE person_key = %s", (rest[0], person))
            return True

        return await self.db.transaction(work)

    async def name_person(self, user_key: str) -> bool:
        async def work(conn: Conn) -> bool:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('people'))")
            cur = await conn.execute(RENAME.replace("?", "%s"), (user_key, user_key))
            return bool(cur.rowcount)

        return await self.db.transaction(work)
