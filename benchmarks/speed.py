"""Speed of smoothopt against the plain numpy code a student writes.

Each benchmark times the library and its plain-numpy counterpart side by side
in one run (best of several repeats, interleaved so both see the same machine
load) and reports the ratio, with the accuracy or success rate that shows the
two computed the same thing. Run with ``python benchmarks/run.py`` (or
``make bench``); results are also written to ``benchmarks/results/speed.md``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

import smoothopt as so
from smoothopt import estimators, objectives, optimizers, smoothing

SEED = 20261122


def best_time(fn, repeats):
    """Minimum wall time of ``repeats`` calls (the least disturbed run)."""
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def interleaved(fns, repeats):
    """Time several functions, alternating them, best of ``repeats`` each."""
    best = [np.inf] * len(fns)
    outs = [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t, out = best_time(fn, 1)
            best[i] = min(best[i], t)
            outs[i] = out
    return best, outs


# ---------------------------------------------------------------------------
# 1. The smoothed landscape on a 100 x 100 grid
# ---------------------------------------------------------------------------


def bench_smoothed_grid(quick=False):
    f = objectives.get("wavy_bowl")
    generic = lambda p: (  # noqa: E731 - the generic callable a reader writes
        (p[..., 0] - 2) ** 2 + (p[..., 1] - 2) ** 2
        - np.sin(2.5 * p[..., 0] - 5 * p[..., 1]) - np.cos(4 * p[..., 0] + 8 * p[..., 1])
    )
    sigma, n_mc, order = 0.3, 10_000, 8
    res = 40 if quick else 100
    xs = np.linspace(-1, 3, res)
    X, Y = np.meshgrid(xs, xs)
    pts = np.stack([X, Y], axis=-1)
    exact = f.smoothed(pts, sigma)

    def student():
        # As in the homework: a Python loop over grid points, N samples each.
        rng = np.random.default_rng(SEED)
        out = np.empty((res, res))
        for i in range(res):
            for j in range(res):
                z = rng.normal(size=(n_mc, 2))
                out[i, j] = np.mean(generic(pts[i, j] + sigma * z))
        return out

    def library():
        return smoothing.quadrature(generic, pts, sigma=sigma, order=order)

    (t_mc, t_q), (mc, q) = interleaved([student, library], 1 if not quick else 1)
    t_q = min(t_q, best_time(library, 5)[0])
    err_mc = np.max(np.abs(mc - exact))
    err_q = np.max(np.abs(q - exact))
    return {
        "benchmark": f"smoothed landscape, {res}x{res} grid, sigma = {sigma}",
        "baseline": f"Monte Carlo, N = {n_mc} per point, Python loop: {t_mc:.2f} s, max error {err_mc:.1e}",
        "library": f"smoothing.quadrature, order {order}: {t_q * 1e3:.1f} ms, max error {err_q:.1e}",
        "ratio": t_mc / t_q,
        "target": ">= 100x faster at lower error",
        "ok": t_mc / t_q >= 100 and err_q < err_mc,
    }


# ---------------------------------------------------------------------------
# 2. Gradient descent from 10,000 starts, keeping every iterate
# ---------------------------------------------------------------------------


def bench_gd_many_starts(quick=False):
    f = objectives.get("wavy_bowl")
    runs, steps = (2_000, 200) if quick else (10_000, 1_000)
    lr = 0.01
    x0 = np.random.default_rng(SEED).uniform(-1, 3, size=(runs, 2))

    def bare():
        # The student's loop: wavy_bowl's gradient written out, history kept.
        x = x0.copy()
        hist = np.empty((steps + 1, runs, 2))
        hist[0] = x
        for t in range(steps):
            u = 2.5 * x[:, 0] - 5 * x[:, 1]
            v = 4 * x[:, 0] + 8 * x[:, 1]
            gx = 2 * (x[:, 0] - 2) - 2.5 * np.cos(u) + 4 * np.sin(v)
            gy = 2 * (x[:, 1] - 2) + 5 * np.cos(u) + 8 * np.sin(v)
            x = x - lr * np.stack([gx, gy], axis=-1)
            hist[t + 1] = x
        return hist

    def library():
        return so.minimize(f, x0, optimizers.sgd(lr), steps=steps).path

    (t_bare, t_lib), (h_bare, h_lib) = interleaved([bare, library], 3)
    same = np.allclose(h_bare, h_lib, atol=1e-9)
    return {
        "benchmark": f"gradient descent, {runs} starts x {steps} steps, full path kept",
        "baseline": f"bare numpy loop: {t_bare:.2f} s",
        "library": f"minimize: {t_lib:.2f} s (same path: {same})",
        "ratio": t_lib / t_bare,
        "target": "library <= 1.25x the bare loop",
        "ok": t_lib / t_bare <= 1.25 and same,
    }


# ---------------------------------------------------------------------------
# 3. 1,000 runs of score-function descent on the quantized objective
# ---------------------------------------------------------------------------


def _quantized_setting():
    return dict(start=np.array([-0.3, 0.5]), lr=0.5, sigma=0.3, n=50, steps=30)


def bench_score_function_runs(quick=False):
    f = objectives.get("quantized_wavy_bowl")
    s = _quantized_setting()
    runs = 200 if quick else 1_000
    x0 = np.broadcast_to(s["start"], (runs, 2)).copy()
    grad = estimators.oracle(f, "score_function", sigma=s["sigma"], n=s["n"])
    best = f.minimum

    def one_at_a_time():
        rng = np.random.default_rng(SEED)
        ends = np.empty((runs, 2))
        for r in range(runs):
            res = so.minimize(f, x0[r], optimizers.sgd(s["lr"]), steps=s["steps"], grad=grad, rng=rng)
            ends[r] = res.x
        return ends

    def batched():
        rng = np.random.default_rng(SEED)
        return so.minimize(f, x0, optimizers.sgd(s["lr"]), steps=s["steps"], grad=grad, rng=rng).x

    def fused():
        # Everything by hand, all runs at once: the practical limit.
        rng = np.random.default_rng(SEED)
        x = x0.copy()
        hist = np.empty((s["steps"] + 1, runs, 2))
        hist[0] = x
        for t in range(s["steps"]):
            z = rng.standard_normal((s["n"], runs, 2))
            p = x + s["sigma"] * z
            u = 2.5 * p[..., 0] - 5 * p[..., 1]
            v = 4 * p[..., 0] + 8 * p[..., 1]
            big_f = np.sin(u) + np.cos(v) - (p[..., 0] - 2) ** 2 - (p[..., 1] - 2) ** 2
            vals = -np.floor(big_f / 4.5 + 0.64)
            g = np.einsum("kr,krd->rd", vals, z) / (s["n"] * s["sigma"])
            x = x - s["lr"] * g
            hist[t + 1] = x
        return x

    (t_one, t_batch, t_fused), (e_one, e_batch, e_fused) = interleaved(
        [one_at_a_time, batched, fused], 5
    )
    rate = lambda e: float(np.mean(f(e) == best))  # noqa: E731
    r_one, r_batch, r_fused = rate(e_one), rate(e_batch), rate(e_fused)
    # Same success rate within sampling error: the two use different random
    # streams, so allow 4 standard errors of a difference of two proportions.
    se = np.sqrt(2 * r_batch * (1 - r_batch) / runs) + 1e-12
    same_rate = abs(r_one - r_batch) <= 4 * se
    return [
        {
            "benchmark": f"score-function descent, {runs} runs x {s['steps']} steps, N = {s['n']}",
            "baseline": f"one run at a time: {t_one:.2f} s, success {r_one:.1%}",
            "library": f"batched minimize: {t_batch * 1e3:.0f} ms, success {r_batch:.1%}",
            "ratio": t_one / t_batch,
            "target": ">= 5x faster, same success rate",
            "ok": t_one / t_batch >= 5 and same_rate,
        },
        {
            "benchmark": "  ... against a hand-fused numpy loop over all runs",
            "baseline": f"fused loop: {t_fused * 1e3:.0f} ms, success {r_fused:.1%}",
            "library": f"batched minimize: {t_batch * 1e3:.0f} ms",
            "ratio": t_batch / t_fused,
            "target": "library <= 1.25x the fused loop",
            "ok": t_batch / t_fused <= 1.25,
        },
    ]


# ---------------------------------------------------------------------------
# 4. A single run of 300 score-function steps
# ---------------------------------------------------------------------------


def bench_single_run(quick=False):
    f = objectives.get("quantized_wavy_bowl")
    s = _quantized_setting()
    steps = 300
    grad = estimators.oracle(f, "score_function", sigma=s["sigma"], n=s["n"])

    def bare():
        rng = np.random.default_rng(SEED)
        x = s["start"].copy()
        hist = [x]
        for t in range(steps):
            z = rng.standard_normal((s["n"], 2))
            p = x + s["sigma"] * z
            big_f = (np.sin(2.5 * p[:, 0] - 5 * p[:, 1]) + np.cos(4 * p[:, 0] + 8 * p[:, 1])
                     - (p[:, 0] - 2) ** 2 - (p[:, 1] - 2) ** 2)
            vals = -np.floor(big_f / 4.5 + 0.64)
            x = x - s["lr"] * (vals @ z) / (s["n"] * s["sigma"])
            hist.append(x)
        return np.array(hist)

    def library():
        rng = np.random.default_rng(SEED)
        return so.minimize(f, s["start"], optimizers.sgd(s["lr"]), steps=steps, grad=grad, rng=rng).path

    (t_bare, t_lib), (h_bare, h_lib) = interleaved([bare, library], 7)
    return {
        "benchmark": f"one 2-D run, {steps} score-function steps, N = {s['n']}",
        "baseline": f"bare loop: {t_bare * 1e3:.1f} ms",
        "library": f"minimize: {t_lib * 1e3:.1f} ms",
        "ratio": t_lib / t_bare,
        "target": "library <= 2x the bare loop",
        "ok": t_lib / t_bare <= 2,
    }


# ---------------------------------------------------------------------------
# 5. A long run that keeps only the final iterates (record="last")
# ---------------------------------------------------------------------------

_LONG_RUN = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
import smoothopt as so
runs, steps, which, trace = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
f = so.objectives.get("wavy_bowl")
x0 = np.random.default_rng(20261122).uniform(-1, 3, (runs, 2))
if trace:
    tracemalloc.start()
t0, c0 = time.perf_counter(), time.process_time()
if which == "bare":   # the learner's loop: init/update, keeping only x
    opt = so.optimizers.adam(0.01)
    x, s = x0.copy(), opt.init(x0)
    for t in range(steps):
        u, s = opt.update(f.grad(x), s)
        x = x + u
else:
    x = so.minimize(f, x0, so.optimizers.adam(0.01), steps=steps, record="last").x
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = tracemalloc.get_traced_memory()[1] if trace else 0
# VmHWM, the peak resident size of this process's own memory: unlike ru_maxrss, which Linux
# carries over from the parent through fork and exec, it starts afresh in a new program.
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")]
print(json.dumps({"wall": wall, "cpu": cpu, "traced_peak": peak, "x_sum": float(x.sum()),
                  "maxrss_kb": hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _long_run(runs, steps, which, trace):
    out = subprocess.run([sys.executable, "-c", _LONG_RUN, str(runs), str(steps), which,
                          "1" if trace else "0"], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout)


def bench_long_run(quick=False, repeats=3):
    """10^5 runs x 1,000 steps of Adam in 2-D, ``record="last"``, against a bare loop keeping x.

    Each measurement is its own process (interleaved, best of ``repeats`` for the time), so the
    peak resident memory of one does not hide the other's. The time compared is the CPU time of
    the run (on a shared machine the wall time mostly measures the neighbours; it is shown too).
    Memory is also given as the peak of the allocations tracemalloc sees (numpy arrays included),
    which excludes the interpreter.
    """
    runs, steps = (10_000, 200) if quick else (100_000, 1_000)
    walls = {"bare": [], "minimize": []}
    cpus = {"bare": [], "minimize": []}
    rss, x_sum = {}, {}
    for _ in range(repeats):
        for which in ("bare", "minimize"):
            r = _long_run(runs, steps, which, trace=False)
            walls[which].append(r["wall"])
            cpus[which].append(r["cpu"])
            rss[which] = max(rss.get(which, 0), r["maxrss_kb"])
            x_sum[which] = r["x_sum"]
    same = x_sum["bare"] == x_sum["minimize"]
    traced = {w: _long_run(runs, max(10, steps // 20), w, trace=True)["traced_peak"]
              for w in ("bare", "minimize")}
    t_bare, t_lib = min(cpus["bare"]), min(cpus["minimize"])
    w_bare, w_lib = min(walls["bare"]), min(walls["minimize"])
    mem_ratio = rss["minimize"] / rss["bare"]
    return [
        {
            "benchmark": f"long run, {runs} runs x {steps} steps x 2-D, Adam, record='last': time",
            "baseline": f"bare init/update loop keeping x: {t_bare:.2f} s CPU ({w_bare:.2f} s wall)",
            "library": (f"minimize(record='last'): {t_lib:.2f} s CPU ({w_lib:.2f} s wall; "
                        f"same x: {same})"),
            "ratio": t_lib / t_bare,
            "target": "library <= 1.1x the bare loop",
            "ok": t_lib / t_bare <= 1.1 and same,
        },
        {
            "benchmark": "  ... peak memory (own process each; tracemalloc peak in brackets)",
            "baseline": f"bare loop: {rss['bare'] / 1024:.0f} MB RSS ({traced['bare'] / 2**20:.1f} MB traced)",
            "library": (f"minimize: {rss['minimize'] / 1024:.0f} MB RSS "
                        f"({traced['minimize'] / 2**20:.1f} MB traced)"),
            "ratio": mem_ratio,
            "target": "library <= 2x the bare loop's memory",
            "ok": mem_ratio <= 2,
        },
    ]


def run_all(quick=False, progress=None):
    """Every benchmark; ``progress(i, n, name)`` is called before each (``make bench`` prints it)."""
    benches = [("smoothed landscape", bench_smoothed_grid), ("gradient descent, many starts", bench_gd_many_starts),
               ("score-function runs", bench_score_function_runs), ("one run", bench_single_run),
               ("long run, record='last'", bench_long_run)]
    rows = []
    for i, (name, bench) in enumerate(benches):
        if progress is not None:
            progress(i, len(benches), name)
        out = bench(quick)
        rows += out if isinstance(out, list) else [out]
    return rows


def table(rows):
    lines = [
        "| benchmark | baseline | smoothopt | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {r['baseline']} | {r['library']} | "
            f"{r['ratio']:.2f}x | {r['target']} | {'yes' if r['ok'] else 'NO'} |"
        )
    return "\n".join(lines)
