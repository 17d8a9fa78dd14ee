"""Run the speed benchmarks and print (and save) their table.

Usage: ``python benchmarks/run.py [--quick]`` from the repository root
(``make bench`` does this in the project's virtual environment).
The equal-budget comparison of methods lives in ``benchmarks/compare.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import speed  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    def progress(i, n, name):
        # on stderr, so the table on stdout stays clean; flushed, so make shows it at once
        print(f"[{i + 1}/{n}] {name} ... ({time.perf_counter() - t0:.0f} s so far)",
              file=sys.stderr, flush=True)

    rows = speed.run_all(quick=args.quick, progress=progress)
    print(f"done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    header = (
        f"smoothopt speed benchmarks ({'quick' if args.quick else 'full'} sizes), "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, seed {speed.SEED}, {time.perf_counter() - t0:.0f} s in all"
    )
    text = header + "\n\n" + speed.table(rows) + "\n"
    print(text)
    if not args.quick:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "speed.md"), "w") as fh:
            fh.write("# Speed benchmarks\n\n" + text)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
