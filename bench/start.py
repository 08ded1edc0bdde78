"""`start`: cold start of `articlebot console` to its first reply, and peak memory on the big database.

Cold start: `python -m articlebot console --db <fresh dir>/fresh.db` with `/sections` on standard input, wall time from
just before spawning to the first line of the reply on standard output (so: interpreter start, imports, schema
creation, importing the demo article, answering). One untimed run first (the OS file cache and __pycache__ are
warm, as on any second start), then the median of 5.

Peak RSS: `python -m articlebot console --db <1M-comment db> --chat bench` answering `/sections` and `/comments`:
VmHWM from /proc/<pid>/status once both are answered, read while the process is still alive.
"""

from __future__ import annotations

import os
import selectors
import statistics
import subprocess
import time
from pathlib import Path

from bench.bigdb import CONSOLE_CHAT_ARG, timed_database
from bench.common import PYTHON, Options, Result, Row, child_env, fmt, kill_quietly, scratch

NAME = "start"
START_LIMIT_S = 1.5
RSS_LIMIT_MB = 120.0
RUNS = 5
PROCESS_LIMIT_S = 60.0


MARKER = "/benchmarkdone"  # an unknown command: its answer shows that every line before it was answered


def vm_hwm_mb(pid: int) -> float:
    """Peak resident set of a live process (VmHWM, counted from its exec: not inherited from this process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def console(args: list[str], lines: list[str], cwd: Path, *, peak: bool = False) -> tuple[float, float | None, str]:
    """Runs the console on `lines`; returns (seconds to the first output line, peak RSS in MB if asked, output).

    For the peak, standard input stays open until the answer to MARKER (sent after `lines`) shows every line
    was answered; VmHWM is read then, while the process is alive, and only then input is closed. (ru_maxrss from
    wait4 is no good here: a child spawned by vfork/exec starts from this process's high-water mark.)
    """
    out_path = cwd / "console.err"
    with out_path.open("wb") as err:
        t = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-m", "articlebot", "console", *args], cwd=str(cwd), env=child_env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("".join(line + "\n" for line in [*lines, *([MARKER] if peak else [])]).encode())
        proc.stdin.flush()
        if not peak:
            proc.stdin.close()
        deadline = time.monotonic() + PROCESS_LIMIT_S
        first: float | None = None
        peak_mb: float | None = None
        output = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
                if first is None and b"\n" in output:
                    first = time.perf_counter() - t
                if peak and peak_mb is None and MARKER.encode() in output:
                    peak_mb = vm_hwm_mb(proc.pid)
                    proc.stdin.close()
        try:
            code = proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"console did not finish within {PROCESS_LIMIT_S:.0f} s") from None
        if code != 0:
            raise RuntimeError(f"console exited {code}: {out_path.read_text()[-2000:]}")
        if first is None:
            raise RuntimeError("console printed nothing")
        if peak and peak_mb is None:
            raise RuntimeError("console never answered the marker line")
        return first, peak_mb, output.decode()
    finally:
        kill_quietly(proc)


def run(opts: Options) -> Result:
    result = Result()
    with scratch("start", opts) as work:
        times: list[float] = []
        for i in range(RUNS + 1):
            run_dir = work / f"cold-{i}"
            run_dir.mkdir()
            seconds, _, output = console(["--db", str(run_dir / "fresh.db")], ["/sections"], run_dir)
            if "Contents" not in output:
                raise RuntimeError(f"/sections did not show the contents: {output[:300]!r}")
            if i:  # the first run is the untimed warm-up
                times.append(seconds)
        median = statistics.median(times)
        result.details["cold_start_seconds"] = times
        result.add(Row(NAME, f"cold console first reply s (median of {RUNS})", median, fmt(median, 2),
                       f"<= {START_LIMIT_S:g}", median <= START_LIMIT_S))

        size = 100_000 if opts.quick else 1_000_000
        big, _ = timed_database(size)
        size_label = f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"
        rss_dir = work / "rss"
        rss_dir.mkdir()
        seconds, peak_mb, output = console(["--db", str(big), "--chat", CONSOLE_CHAT_ARG], ["/sections", "/comments"],
                                           rss_dir, peak=True)
        assert peak_mb is not None
        if "== Comments ==" not in output or "💬" not in output:
            raise RuntimeError(f"the console did not list contents and comments: {output[:300]!r}")
        result.details["big_db"] = {"comments": size, "first_reply_seconds": seconds, "peak_rss_mb": peak_mb}
        result.add(Row(NAME, f"console first reply s on {size_label} db", seconds, fmt(seconds, 2)))
        result.add(Row(NAME, f"peak RSS MB, console on {size_label} db", peak_mb, fmt(peak_mb, 1),
                       f"< {RSS_LIMIT_MB:g}", peak_mb < RSS_LIMIT_MB))
    return result
