"""One person's accounts on SQLite (/me link): every linked account, the first one included, has a row naming the
person's key (the first account's user key)."""

from __future__ import annotations

import sqlite3

from storage.connection import Database

ACCOUNTS_OF = ("SELECT p.user_key, coalesce(u.name, p.user_key) FROM people p LEFT JOIN users u ON u.user_key ="
               " p.user_key WHERE p.person_key = (SELECT person_key FROM people WHERE user_key = ?)"
               " ORDER BY p.user_key = p.person_key DESC, p.linked_at, p.user_key")
# the person's key is the account whose name their comments show (/me name): every row of the person moves to it
RENAME = "UPDATE people SET person_key = ? WHERE person_key = (SELECT person_key FROM people WHERE user_key = ?)"


def link(db: sqlite3.Connection, user_key: str, owner_key: str, now: float) -> None:
    row = db.execute("SELECT person_key FROM people WHERE user_key = ?", (owner_key,)).fetchone()
    person = str(row[0]) if row is not None else owner_key
    if row is None:
        db.execute("INSERT INTO people(user_key, person_key, linked_at) VALUES (?, ?, ?)", (owner_key, person, now))
    mine = db.execute("SELECT person_key FROM people WHERE user_key = ?", (user_key,)).fetchone()
    if mine is not None:  # two people become one: all of the joining one's accounts come along
        db.execute("UPDATE people SET person_key = ? WHERE person_key = ?", (person, mine[0]))
    db.execute("INSERT INTO people(user_key, person_key, linked_at) VALUES (?, ?, ?) ON CONFLICT(user_key)"
               " DO UPDATE SET person_key = excluded.person_key", (user_key, person, now))


def unlink(db: sqlite3.Connection, user_key: str) -> bool:
    row = db.execute("SELECT person_key FROM people WHERE user_key = ?", (user_key,)).fetchone()
    if row is None:
        return False
    person = str(row[0])
    db.execute("DELETE FROM people WHERE user_key = ?", (user_key,))
    rest = [str(r[0]) for r in db.execute("SELECT user_key FROM people WHERE person_key = ? ORDER BY linked_at,"
                                          " user_key", (person,)).fetchall()]
    if len(rest) == 1:  # one account alone is no longer linked to anything
        db.execute("DELETE FROM people WHERE user_key = ?", (rest[0],))
    elif rest and person == user_key:  # the first account left: the next one names the person now
        db.execute("UPDATE people SET person_key = ? WHERE person_key = ?", (rest[0], person))
    return True


class PeopleQueries:
    db: Database

    async def person_accounts(self, user_key: str) -> list[tuple[str, str]]:
        rows = await self.db.fetchall(ACCOUNTS_OF, (user_key,))
        return [(str(r[0]), str(r[1])) for r in rows]

    async def link_person(self, user_key: str, owner_key: str, now: float) -> None:
        await self.db.transaction(lambda db: link(db, user_key, owner_key, now))

    async def unlink_person(self, user_key: str) -> bool:
        return await self.db.transaction(lambda db: unlink(db, user_key))

    async def name_person(self, user_key: str) -> bool:
        return bool(await self.db.transaction(lambda db: db.execute(RENAME, (user_key, user_key)).rowcount))
