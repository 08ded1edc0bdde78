"""PostgreSQL: the schema and its migrations so far (the store itself is the next step; see README).

`migrate(url)` brings a database to the current schema in one transaction under an advisory lock, so of
several processes starting at once exactly one migrates and the others find nothing left to do."""

from __future__ import annotations

import psycopg

from storage.postgres.schema import POSTGRES_MIGRATIONS

SCHEMA_VERSION = len(POSTGRES_MIGRATIONS)
MIGRATION_LOCK = 0x61727469636C65  # "article": one advisory lock id for every articlebot database


class SchemaTooNew(RuntimeError):
    pass


async def migrate(url: str, target: int = SCHEMA_VERSION) -> int:
    """Apply pending steps up to `target`; returns the version the database is at."""
    async with await psycopg.AsyncConnection.connect(url, connect_timeout=10) as conn:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = await (await conn.execute("SELECT version FROM schema_version")).fetchone()
            if row is None:
                await conn.execute("INSERT INTO schema_version VALUES (0)")
            version = 0 if row is None else int(row[0])
            if version > len(POSTGRES_MIGRATIONS):
                raise SchemaTooNew(f"database schema version {version} is newer than this program "
                                   f"({SCHEMA_VERSION})")
            while version < target:
                await conn.execute(POSTGRES_MIGRATIONS[version].encode())  # several statements: no parameters
                version += 1
            await conn.execute("UPDATE schema_version SET version = %s", (version,))
    return version
