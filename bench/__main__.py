"""`python -m bench [--quick] [--only NAME[,NAME]]`: run the benchmarks, print one table, write results/latest.json."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import Any

from bench import core_cost, discord_e2e, fleet, importer, postgres, reads, start, telegram_e2e, webpage, writes
from bench.common import RESULTS, Options, Result, Row, machine_info

BENCHMARKS: dict[str, ModuleType] = {
    "telegram": telegram_e2e,
    "discord": discord_e2e,
    "core": core_cost,
    "writes": writes,
    "reads": reads,
    "start": start,
    "postgres": postgres,
    "importer": importer,
    "fleet": fleet,
    "webpage": webpage,
}
# a last-resort wall-clock limit per benchmark; each also bounds its own loops and waits well within this
HARD_LIMIT_S = {"quick": 180, "full": 1500}


class HardLimit(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise HardLimit("hard time limit reached")


def run_one(name: str, opts: Options) -> tuple[Result, float]:
    runner: Callable[[Options], Result] = BENCHMARKS[name].run
    t = time.perf_counter()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HARD_LIMIT_S["quick" if opts.quick else "full"])
    try:
        result = runner(opts)
    except (Exception, HardLimit) as err:
        traceback.print_exc(file=sys.stderr)
        text = f"{type(err).__name__}: {err}"[:200]
        result = Result(rows=[Row(name, "error", None, text, "-", False)], details={"error": text})
    finally:
        signal.alarm(0)
    return result, time.perf_counter() - t


def table(rows: list[Row]) -> str:
    header = ("benchmark", "metric", "value", "target", "met")
    cells = [header] + [(r.benchmark, r.metric, r.shown, r.target, "-" if r.met is None else "yes" if r.met else "no")
                        for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = []
    for c in cells:
        lines.append("  ".join(c[i].ljust(widths[i]) if i < len(header) - 1 else c[i] for i in range(len(header))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute: a smoke run")
    parser.add_argument("--only", default="", help=f"comma list of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--keep-work", action="store_true", help="keep scratch databases and logs in results/work")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    opts = Options(quick=args.quick, keep_work=args.keep_work)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": machine_info(), "quick": opts.quick, "benchmarks": names,
                              "load_average_before": os.getloadavg(), "rows": [], "details": {}, "seconds": {}}
    rows: list[Row] = []
    for name in names:
        print(f"running {name}{' (quick)' if opts.quick else ''} ...", file=sys.stderr, flush=True)
        result, seconds = run_one(name, opts)
        rows.extend(result.rows)
        report["details"][name] = result.details
        report["seconds"][name] = round(seconds, 1)
        print(f"  {name} done in {seconds:.1f} s", file=sys.stderr, flush=True)
    report["rows"] = [r.as_json() for r in rows]
    report["load_average_after"] = os.getloadavg()
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = report["machine"]
    print(f"{m['cpu_model']}, {m['cores']} cores, {m['ram_gib']} GiB; Python {m['python']}, SQLite {m['sqlite']};"
          f" {m['date']}{'; quick' if opts.quick else ''}; load average before/after"
          f" {report['load_average_before'][0]:.2f}/{report['load_average_after'][0]:.2f}")
    print(table(rows))
    print(f"(written to {out.relative_to(RESULTS.parent.parent)})")
    return 1 if any(r.metric == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
