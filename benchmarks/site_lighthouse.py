"""Lighthouse (mobile, default simulated throttling) on every page of the built site, several runs
a page: the raw data behind ``benchmarks/results/site.md``'s per-page tables.

Usage, from the repository root, after ``make book`` and ``make node-tools``, on an otherwise idle
machine (Lighthouse simulates from this machine's own task timings)::

    .venv/bin/python benchmarks/site_lighthouse.py --runs 3 --out benchmarks/results/site-lighthouse-session6.json

It prints one line a page (the median performance and every run) and writes ``{page: [run, ...]}``,
each run as ``tests/site_audit.lighthouse`` returns it plus the load average when it ended.
``make lighthouse`` asserts the same limits on the same runs (``site_audit.lighthouse_median``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import site_audit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--runs", type=int, default=site_audit.LIGHTHOUSE_RUNS)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("pages", nargs="*", help="pages such as book/api (default: every page)")
    args = parser.parse_args(argv)
    pages = args.pages or site_audit.pages_of(args.html)
    results = {}
    with site_audit.Server(args.html) as server, tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            runs = []
            for i in range(args.runs):
                run = site_audit.lighthouse(f"{server.url}/{page}.html", Path(tmp) / f"{i}.json")
                run["load"] = os.getloadavg()[0]
                runs.append(run)
            perf = [r["scores"]["performance"] for r in runs]  # None: Lighthouse gave no score
            taken = site_audit.median_run(runs)
            print(f"{page:26s} median run {taken['scores']['performance']} runs {perf} "
                  f"TBT {[round(r['tbt_ms']) for r in runs]} LCP {max(r['lcp_ms'] for r in runs) / 1000:.2f} s",
                  flush=True)
            results[page] = runs
    args.out.write_text(json.dumps(results, indent=1), encoding="utf8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
