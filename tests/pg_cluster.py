"""A throwaway PostgreSQL cluster for the test run: initdb into a temporary folder, a free port on
127.0.0.1, trust authentication, fsync off; stopped and removed afterwards. PostgreSQL refuses to run as
root, so as root (CI) the server runs as the `postgres` user. Without the server's binaries the PostgreSQL
tests skip on a developer's machine, and fail in CI (CI=true), where .ci/run installs them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SEARCH = ("/usr/lib/postgresql",)


def binaries() -> Path | None:
    for root in SEARCH:
        versions = sorted(Path(root).glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                          if p.parent.parent.name.isdigit() else 0)
        if versions:
            return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def cluster(*, durable: bool = False) -> Iterator[str]:
    """Yields the URL of a fresh cluster's `postgres` database. `durable` keeps PostgreSQL's own defaults
    (fsync, synchronous commit, full page writes), for benchmarks; tests run without them, for speed."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="articlebot-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    port = free_port()
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
                    "-w", "-t", "60", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
