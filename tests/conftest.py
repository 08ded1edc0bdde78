from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support import Harness


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A fresh database for one test, once on each store: a SQLite file's path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "bot.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def harness(database: Path | str) -> AsyncIterator[Harness]:
    h = await Harness.open(database)
    try:
        yield h
    finally:
        await h.close()


# ---- PostgreSQL -------------------------------------------------------------------------------------

_pg_missing: list[str] = []


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    import os

    from tests.pg_cluster import binaries, cluster

    if binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries not found, and CI must run the PostgreSQL tests (.ci/run installs them)")
        _pg_missing.append("missing")
        pytest.skip("PostgreSQL binaries not found: ran SQLite only")
    with cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database on the test cluster, for this test alone."""
    import psycopg

    name = f"t{next(_pg_numbers)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


_pg_numbers = itertools.count(1)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _pg_missing:
        terminalreporter.write_line("PostgreSQL binaries not found: ran SQLite only (the PostgreSQL tests skipped)")
