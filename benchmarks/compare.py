"""Every method on every bad objective, at an equal budget of function evaluations, one rule for all.

Usage, from the repository root::

    .venv/bin/python benchmarks/compare.py --scale full     # make compare: 100 runs each (minutes)
    .venv/bin/python benchmarks/compare.py --scale book     # 30 runs each on the page's suite

``--scale full`` writes ``benchmarks/results/compare.md`` and ``compare.json``; the chapter
``book/benchmark.md`` reads the JSON for its large tables and calls :func:`run` at book scale.

The rule, the same for every method (as on the COCO/BBOB platform):

* **Budget.** A run may spend ``budget = max(1000, 500 d)`` evaluations. Every evaluation of ``f``
  a method makes is counted, by a wrapper (a :class:`Ledger` for the batched library methods, a
  :class:`Counter` for the methods that run one at a time) through which it sees ``f``: nothing
  is evaluated outside it. A gradient costs ``d`` evaluations and comes with the value at its
  point (a forward difference, which is what the methods without an analytic gradient and
  scipy's local searches really pay), so a gradient point costs ``d + 1``. Evaluations past the
  budget are not credited.
* **Success.** A run reaches the precision ``eps`` when any point it paid for has
  ``f - f* <= eps`` (the best of all the points evaluated, not the final iterate). The main
  target ``tol`` is below the gap to the next-best local minimum, so it certifies the global
  basin; the finer targets ``10**-k`` below it measure precision.
* **Summaries.** Success rate with a 95% Wilson interval, the evaluations to target of the
  successful runs (median, IQR), aRT (all evaluations spent, to success or to the budget, over
  the successes) and runtime ECDFs over the targets.
* **No free tuning.** Hyperparameters are the same on every problem: scale-free rules of the box
  side ``w``, the dimension ``d`` and the spread of ``f`` at paid uniform points, with the factors
  of the gradient methods' step rules chosen once by :func:`tune` on problems that are not in the
  table (``TRAINING``).
* **Restarts.** Every method that can restart does, inside the same budget: CMA-ES (IPOP),
  differential evolution, the gradient methods, hill climbing, simulated annealing, ``solve``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

try:  # pragma: no cover - run from the repository root without installing
    import smoothopt  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smoothopt import estimators, heuristics, minimize, objectives, optimizers  # noqa: E402
from smoothopt import variational  # noqa: E402
from smoothopt.solve import solve  # noqa: E402

try:  # tiny linear algebra is slower, not faster, on many BLAS threads
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

SEED = 20260607
BUDGET_PER_DIM = 500
MIN_BUDGET = 1000
PRECISIONS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)  # the finer targets, below each problem's tol

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


@dataclass(frozen=True)
class Problem:
    """An objective, its dimension and its main target ``f <= f* + tol``."""

    name: str
    dim: int
    tol: float
    gap: float  # f at the next-best local minimum minus f*: tol must be below it
    label: str = ""

    @property
    def objective(self):
        if self.name in ("rastrigin", "ackley", "bowl", "rosenbrock"):
            return objectives.get(self.name, dim=self.dim)
        return objectives.get(self.name)

    @property
    def key(self):
        return self.label or self.name

    @property
    def precisions(self):
        """The targets ``f - f*``: ``tol`` (the global basin), then the finer ``10**-k``."""
        return (self.tol,) + tuple(p for p in PRECISIONS if p < self.tol)


#: The gaps are the next-best local minimum found by 4,000 gradient descents from uniform starts
#: (wavy_bowl -1.562, nightmare -0.938, ripple's cone tip 0, easom about 0, rastrigin 0.995,
#: ackley 2.58 in 2-D, about 1.7, 1.2 and 0.87 with one coordinate off zero in 5, 10 and 20-D)
#: or the next level of a piecewise-constant objective.
PROBLEMS = [
    Problem("wavy_bowl", 2, tol=0.1, gap=0.40),
    Problem("quantized_wavy_bowl", 2, tol=0.5, gap=1.0),
    Problem("nightmare", 2, tol=0.03, gap=0.070),
    Problem("ripple", 2, tol=0.1, gap=1.0),
    Problem("easom", 2, tol=0.1, gap=1.0),
    Problem("floored_sinc", 1, tol=0.5, gap=1.0),
    Problem("rastrigin", 2, tol=0.5, gap=0.995, label="rastrigin-2"),
    Problem("ackley", 2, tol=0.5, gap=2.58, label="ackley-2"),
    Problem("rastrigin", 5, tol=0.5, gap=0.995, label="rastrigin-5"),
    Problem("ackley", 5, tol=0.5, gap=1.7, label="ackley-5"),
    Problem("rastrigin", 10, tol=0.5, gap=0.995, label="rastrigin-10"),
    Problem("ackley", 10, tol=0.5, gap=1.2, label="ackley-10"),
    Problem("rastrigin", 20, tol=0.5, gap=0.995, label="rastrigin-20"),
    Problem("ackley", 20, tol=0.5, gap=0.87, label="ackley-20"),
]
SCALING = ["rastrigin-2", "rastrigin-5", "rastrigin-10", "rastrigin-20",
           "ackley-2", "ackley-5", "ackley-10", "ackley-20"]

#: Problems the free constants were chosen on (:func:`tune`); none of them is in the table.
TRAINING = [
    Problem("sinc", 1, tol=0.1, gap=0.3, label="sinc"),
    Problem("wiggly_parabola", 1, tol=0.1, gap=0.3, label="wiggly_parabola"),
    Problem("quartic", 1, tol=1.0, gap=200.0, label="quartic"),
    Problem("rosenbrock", 2, tol=0.01, gap=1.0, label="rosenbrock-2"),
    Problem("rastrigin", 3, tol=0.5, gap=0.995, label="rastrigin-3"),
    Problem("ackley", 3, tol=0.5, gap=2.0, label="ackley-3"),
]

#: scale -> runs of every method and the problems
SCALES = {
    "book": {"runs": 30, "problems": ["floored_sinc"]},
    "full": {"runs": 100, "problems": [p.key for p in PROBLEMS]},
}

#: The constants :func:`tune` chose on ``TRAINING`` (the best mean success rate over its grid).
#: They are the factors ``alpha`` of the gradient methods' scale rules (see :func:`_descents`):
#: a step of about ``alpha w`` whatever the scales of ``x`` and ``f``.
TUNED = {"gd_alpha": 0.003, "momentum_alpha": 0.001, "adam_alpha": 0.1}
TUNE_GRID = {"gd_alpha": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0),
             "momentum_alpha": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3),
             "adam_alpha": (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)}

RESTART_STEPS = 100  # steps per restart of the gradient methods


def budget_of(dim):
    return max(MIN_BUDGET, BUDGET_PER_DIM * dim)


def problem_of(key):
    for p in PROBLEMS + TRAINING:
        if p.key == key:
            return p
    raise ValueError(f"unknown problem {key!r}; one of {[p.key for p in PROBLEMS + TRAINING]}")


# ---------------------------------------------------------------------------------------------
# The counting wrappers: every evaluation goes through one of them
# ---------------------------------------------------------------------------------------------


class Ledger:
    """``f`` for a batched method whose ``runs`` move in lockstep (the run axis is the last
    batch axis). Records, per run, the best value and the evaluations spent when each target was
    first reached; values past the budget are not credited."""

    def __init__(self, f, runs, budget, targets, grad_cost):
        self.f, self.runs, self.budget, self.grad_cost = f, runs, budget, grad_cost
        self.targets = np.asarray(targets, dtype=float)
        self.dim, self.bounds, self.has_grad = f.dim, f.bounds, f.has_grad
        self.n = 0
        self.best = np.full(runs, np.inf)
        self.hit = np.full((self.targets.size, runs), np.inf)

    def _record(self, vals, cost_each=1):
        v = np.asarray(vals, dtype=float).reshape(-1, self.runs)
        costs = self.n + cost_each * np.arange(1, v.shape[0] + 1)
        self.n += cost_each * v.shape[0]
        keep = costs <= self.budget
        v, costs = np.where(np.isnan(v[keep]), np.inf, v[keep]), costs[keep]
        if not v.size:
            return
        self.best = np.minimum(self.best, v.min(axis=0))
        reached = v[None] <= self.targets[:, None, None]  # (targets, k, runs)
        first = np.where(reached.any(axis=1), costs[np.argmax(reached, axis=1)], np.inf)
        self.hit = np.minimum(self.hit, first)

    @property
    def spent(self):
        return min(self.n, self.budget)

    def __call__(self, x):
        with np.errstate(all="ignore"):
            vals = np.asarray(self.f(x), dtype=float)
        self._record(vals)
        return vals

    def grad(self, x, rng=None):
        """The value and the gradient at ``x``, ``d + 1`` evaluations per point: the analytic
        gradient, or forward differences of ``f`` where it has none."""
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            vals = np.asarray(self.f(x), dtype=float)
            if self.has_grad:
                g = self.f.grad(x)
            else:
                h = np.sqrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
                g = np.stack([(self.f(x + h[..., i, None] * np.eye(self.dim)[i]) - vals)
                              / h[..., i] for i in range(self.dim)], axis=-1)
        self._record(vals, cost_each=self.grad_cost + 1)
        return g


class _Exhausted(Exception):
    """Raised by :class:`Counter` when a method asks for more than its budget."""


class Counter:
    """``f`` for one run of a method that runs one at a time; stops it at the budget."""

    def __init__(self, f, budget, targets, grad_cost):
        self.f, self.budget, self.grad_cost = f, budget, grad_cost
        self.targets = np.asarray(targets, dtype=float)
        self.n = 0
        self.best = math.inf
        self.hit = np.full(self.targets.size, np.inf)
        self.stopped = False  # True if the wrapper, not the method's own options, stopped it

    def _record(self, flat):
        room = self.budget - self.n
        take = np.where(np.isnan(flat[:room]), np.inf, flat[:room])
        # A target is first reached only by a value below every earlier one, so the targets
        # need looking at only when the best value improves (most calls do not: this is the
        # harness's per-evaluation cost for the one-point-at-a-time references).
        if take.size and take.min() < self.best:
            reached = take[None] <= self.targets[:, None]
            first = np.where(reached.any(axis=1), self.n + np.argmax(reached, axis=1) + 1, np.inf)
            self.hit = np.minimum(self.hit, first)
            self.best = float(take.min())
        self.n += take.size
        if flat.size > room:
            self.stopped = True
            raise _Exhausted

    def values(self, x):
        """``f`` at points ``(..., d)``; every point costs one evaluation."""
        with np.errstate(all="ignore"):
            vals = np.asarray(self.f(x), dtype=float)
        self._record(vals.reshape(-1))
        return vals

    def scalar(self, x):
        """``f`` at one point: the same record as :meth:`values`, without its array work."""
        if self.n >= self.budget:
            self.stopped = True
            raise _Exhausted
        with np.errstate(all="ignore"):
            v = float(self.f(np.asarray(x, dtype=float)))
        self.n += 1
        if v < self.best:  # (a NaN is never below: it counts as no improvement, like inf)
            self.best = v
            self.hit[(self.targets >= v) & (self.hit == np.inf)] = self.n
        return v

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` for ``d + 1`` evaluations (forward differences without a grad)."""
        x = np.asarray(x, dtype=float)
        if self.f.has_grad:
            if self.n + 1 + self.grad_cost > self.budget:
                self.stopped = True
                raise _Exhausted
            val = self.values(x)
            self.n += self.grad_cost
            return float(val), self.f.grad(x)
        h = np.sqrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
        pts = np.vstack([x, x + np.diag(h)])
        if self.n + len(pts) > self.budget:
            self.stopped = True
            raise _Exhausted
        vals = self.values(pts)
        return float(vals[0]), (vals[1:] - vals[0]) / h


# ---------------------------------------------------------------------------------------------
# Shared setup of one problem
# ---------------------------------------------------------------------------------------------


@dataclass
class Setup:
    """Everything every method on one problem shares."""

    problem: Problem
    f: objectives.Objective
    index: int
    runs: int
    budget: int
    targets: np.ndarray  # f* + precisions
    x0: np.ndarray  # (runs, d), the common starts
    width: float  # mean side of the box
    grad_cost: int

    def rng(self, *keys):
        return np.random.default_rng([SEED, self.index, *keys])

    def uniform(self, rng, shape):
        b = self.f.bounds
        return rng.uniform(b[:, 0], b[:, 1], size=tuple(shape) + (self.f.dim,))

    def ledger(self, runs=None):
        return Ledger(self.f, self.runs if runs is None else runs, self.budget, self.targets,
                      self.grad_cost)

    def counter(self):
        return Counter(self.f, self.budget, self.targets, self.grad_cost)


def make_setup(problem, runs, grad_cost=None):
    f = problem.objective
    d = f.dim
    index = [p.key for p in PROBLEMS + TRAINING].index(problem.key)
    setup = Setup(problem=problem, f=f, index=index, runs=runs, budget=budget_of(d),
                  targets=f.minimum + np.array(problem.precisions), x0=None,
                  width=float(np.mean(f.bounds[:, 1] - f.bounds[:, 0])),
                  grad_cost=d if grad_cost is None else int(grad_cost))
    # The starts come first from their own stream, so fewer runs use a prefix of them.
    setup.x0 = setup.uniform(setup.rng(0), (runs,))
    return setup


@dataclass
class Outcome:
    """Per-run results of one method on one problem."""

    method: str
    best: np.ndarray  # (runs,) best value among the points paid for
    hit: np.ndarray  # (targets, runs) evaluations spent when each target was first reached
    nfev: np.ndarray  # (runs,) evaluations spent in all
    seconds: float
    note: str = ""
    applicable: bool = True
    cpu: float = 0.0  # process CPU seconds, which the machine's load does not inflate

    @property
    def runs(self):
        return int(self.best.size)

    @property
    def success(self):
        return np.isfinite(self.hit[0])


# ---------------------------------------------------------------------------------------------
# The library's methods: batched over all runs, every evaluation through a Ledger
# ---------------------------------------------------------------------------------------------


def _done(led, note):
    return led.best, led.hit, np.full(led.runs, led.spent), note


def _random(setup, rng):
    """heuristics.random_search: uniform draws in the box (in chunks of runs, for memory)."""
    chunk = max(1, int(2e6 // (setup.budget * setup.f.dim)))
    parts = []
    for lo in range(0, setup.runs, chunk):
        x0 = setup.x0[lo:lo + chunk]
        led = setup.ledger(len(x0))
        heuristics.random_search(led, x0, steps=setup.budget - 1, rng=rng)
        parts.append(led)
    best = np.concatenate([p.best for p in parts])
    hit = np.concatenate([p.hit for p in parts], axis=1)
    return best, hit, np.full(setup.runs, setup.budget), f"{setup.budget} uniform draws"


def _descents(setup, optimizer, rng, spread=False):
    """Restarts of ``RESTART_STEPS`` gradient steps (from the common start, then uniform starts),
    one after the other, until the budget is spent; the last one takes what is left.

    With ``spread``, each run first pays for ``10 d`` uniform points and descends ``f / S``, with
    ``S`` their standard deviation (as annealing takes its temperature): a gradient of ``f / S``
    is about ``1 / w``, so a step ``lr = alpha w**2`` moves about ``alpha w``, whatever the scales
    of ``x`` and ``f``."""
    led, d = setup.ledger(), setup.f.dim
    grad = led.grad
    if spread:
        warm = led(setup.uniform(rng, (10 * d, setup.runs)))  # (10 d, runs), paid for
        scale = np.maximum(warm.std(axis=0), 1e-12)[:, None]
        grad = lambda x: led.grad(x) / scale  # noqa: E731
    per = setup.grad_cost + 1
    k = 0
    while setup.budget - led.n >= per + 1:
        steps = min(RESTART_STEPS, (setup.budget - led.n - 1) // per)
        start = setup.x0 if k == 0 else setup.uniform(rng, (setup.runs,))
        minimize(led, start, optimizer, steps=steps, grad=grad)  # ends with f(x), 1 eval
        k += 1
    return _done(led, f"{k} restarts of <= {RESTART_STEPS} steps")


def _gd(setup, rng, alpha=None):
    """Gradient descent on ``f / S`` (:func:`_descents`), ``lr = alpha w**2``."""
    alpha = TUNED["gd_alpha"] if alpha is None else alpha
    return _descents(setup, optimizers.sgd(alpha * setup.width**2), rng, spread=True)


def _momentum(setup, rng, alpha=None):
    """Heavy ball on ``f / S``, ``lr = alpha w**2``, ``beta = 0.9`` (steps up to ``10 alpha w``)."""
    alpha = TUNED["momentum_alpha"] if alpha is None else alpha
    return _descents(setup, optimizers.momentum(alpha * setup.width**2, beta=0.9), rng,
                     spread=True)


def _adam(setup, rng, alpha=None):
    """Adam, whose step is about ``lr`` in the units of ``x`` whatever the scale of ``f``:
    ``lr = alpha w``."""
    alpha = TUNED["adam_alpha"] if alpha is None else alpha
    return _descents(setup, optimizers.adam(alpha * setup.width), rng)


def _smoothed(setup, method, rng):
    """Adam on an estimate of grad f_sigma, sigma annealed from 0.1 w to 0.005 w, lr = sigma / 2."""
    led, d = setup.ledger(), setup.f.dim
    if method == "score_function":
        n = 2 * max(2, d)
        per_step = n
    else:
        n = 2
        per_step = n * (setup.grad_cost + 1)
    steps = (setup.budget - 1) // per_step
    s0, s1 = 0.1 * setup.width, 0.005 * setup.width
    sigma = lambda t: s0 * (s1 / s0) ** (min(t, steps) / steps)  # noqa: E731
    grad = estimators.oracle(led, method, sigma=sigma, n=n, antithetic=True)
    minimize(led, setup.x0, optimizers.adam(lambda t: 0.5 * sigma(t)), steps=steps, grad=grad,
             rng=rng)
    return _done(led, f"n = {n}, {steps} steps")


def _score(setup, rng):
    return _smoothed(setup, "score_function", rng)


def _pathwise(setup, rng):
    if not setup.f.has_grad:
        return None
    return _smoothed(setup, "reparameterization", rng)


#: The discontinuous chapter's method, in units of the box of quantized_wavy_bowl (side 4).
SCHEDULE = {"sigma0": 0.5 / 4, "sigma1": 0.2 / 4, "lr": 1.2, "n_per_dim": 16}


def _schedule(setup, rng):
    """discontinuous.md's method: score function (antithetic), sigma geometric 0.125 w -> 0.05 w
    over the budget, plain steps lr_t = 1.2 (sigma_t / sigma_0)^2 (w / 4)^2."""
    led, d, w = setup.ledger(), setup.f.dim, setup.width
    n = SCHEDULE["n_per_dim"] * max(2, d)
    steps = (setup.budget - 1) // n
    sig = estimators.geometric_schedule(SCHEDULE["sigma0"] * w, SCHEDULE["sigma1"] * w, steps)
    lr = lambda t: SCHEDULE["lr"] * (sig(t) / sig(0)) ** 2 * (w / 4) ** 2  # noqa: E731
    grad = estimators.oracle(led, "score_function", sigma=sig, n=n, antithetic=True)
    minimize(led, setup.x0, optimizers.sgd(lr), steps=steps, grad=grad, rng=rng)
    return _done(led, f"n = {n}, {steps} steps")


def _step_size(setup):
    """Proposal scale per coordinate, 0.07 w / sqrt(d): a step of length about 0.07 w in any d."""
    return 0.07 * setup.width / math.sqrt(setup.f.dim)


def _local(setup, rng, anneal):
    """Hill climbing (4 restarts) or simulated annealing (2 restarts) with the same proposals.

    Annealing's temperature is in units of the spread of f: each run first pays for 10 d
    uniform points, its T0 is their standard deviation, and T falls geometrically to 1e-3 T0 over
    each restart (run as annealing on f / T0 at T0 = 1, the same acceptance rule).
    """
    led, d = setup.ledger(), setup.f.dim
    if anneal:
        warm = led(setup.uniform(rng, (10 * d, setup.runs)))  # (10 d, runs), paid for
        scale = np.maximum(warm.std(axis=0), 1e-12)
        f = lambda x: led(x) / scale  # noqa: E731
        parts = 2
    else:
        f, parts = led, 4
    k = 0
    while setup.budget - led.n >= 2:
        steps = min((setup.budget - (10 * d if anneal else 0)) // parts, setup.budget - led.n) - 1
        start = setup.x0 if k == 0 else setup.uniform(rng, (setup.runs,))
        if anneal:
            cool = heuristics.geometric_cooling(1.0, 1e-3 ** (1 / max(1, steps)))
            heuristics.simulated_annealing(f, start, steps=steps, step_size=_step_size(setup),
                                           temperature=cool, rng=rng)
        else:
            heuristics.hill_climbing(f, start, steps=steps, step_size=_step_size(setup), rng=rng)
        k += 1
    return _done(led, f"{k} restarts")


def _hill(setup, rng):
    return _local(setup, rng, anneal=False)


def _annealing(setup, rng):
    return _local(setup, rng, anneal=True)


def _xnes(setup, rng):
    """variational.nes (full covariance), n = 4 + 3 ln d, sigma0 = w / 4, one run, no restart."""
    led, d = setup.ledger(), setup.f.dim
    n = 4 + int(3 * math.log(d))
    steps = (setup.budget - 1) // n
    variational.nes(led, setup.x0, steps=steps, n=n, rng=rng, sigma0=0.25 * setup.width,
                    covariance="full")
    return _done(led, f"n = {n}, {steps} steps")


# ---------------------------------------------------------------------------------------------
# Methods that run one at a time, through a Counter
# ---------------------------------------------------------------------------------------------


def _loop(setup, rng_of, one_run):
    best = np.empty(setup.runs)
    hit = np.empty((setup.targets.size, setup.runs))
    nfev = np.empty(setup.runs, dtype=int)
    stops = 0
    limit = threadpool_limits(1) if threadpool_limits else nullcontext()
    with limit, warnings.catch_warnings():
        # scipy warns when a local search ends on its iteration cap: expected at a budget.
        warnings.simplefilter("ignore", RuntimeWarning)
        for r in range(setup.runs):
            counter = setup.counter()
            try:
                one_run(counter, setup.x0[r], rng_of(r))
            except _Exhausted:
                pass
            stops += counter.stopped
            best[r], hit[:, r], nfev[r] = counter.best, counter.hit, counter.n
    return best, hit, nfev, f"stopped by the budget cap in {stops}/{setup.runs}"


def _solve(setup, rng_of):
    def one(counter, x0, rng):
        solve(counter.values, setup.f.bounds, budget=setup.budget, rng=rng)

    return _loop(setup, rng_of, one)


#: solve with each of its parts removed in turn (keyword arguments of smoothopt.solve)
ABLATION = {
    "solve": {},
    "no restarts": {"restarts": False},
    "restarts, no growing population": {"grow": 1.0},
    "values instead of ranks": {"ranks": False},
    "no plateau rule": {"plateau": False},
    "no mirrored samples": {"mirrored": False},
}
ABLATION_PROBLEMS = ["wavy_bowl", "quantized_wavy_bowl", "nightmare", "rastrigin-2", "floored_sinc"]


def ablation(runs=100, problems=None, progress=False):
    """Success of :func:`solve` with each part removed: records like :func:`summarize`'s."""
    rows = []
    problems = problems or ABLATION_PROBLEMS
    todo = [(p, name) for p in problems for name in ABLATION]
    t0 = time.perf_counter()
    for i, (pkey, name) in enumerate(todo):
        setup = make_setup(problem_of(pkey), runs)
        opts = ABLATION[name]

        def one(counter, x0, rng, opts=opts):
            solve(counter.values, setup.f.bounds, budget=setup.budget, rng=rng, **opts)

        best, hit, nfev, note = _loop(setup, lambda r: setup.rng(5, r), one)
        k = int(np.isfinite(hit[0]).sum())
        rows.append({"problem": pkey, "variant": name, "runs": runs, **_stats(hit[0], nfev),
                     "ci": list(wilson(k, runs)), "rate": k / runs})
        if progress:
            _bar(i + 1, len(todo), time.perf_counter() - t0)
    return rows


def _cma(setup, rng_of):
    """CMA-ES with IPOP restarts (population doubled at each restart) until the budget is spent."""
    import cma

    sigma0 = 0.25 * setup.width

    def one(counter, x0, rng):
        popsize, start = None, x0
        while counter.n < counter.budget:
            opts = {"seed": int(rng.integers(1, 2**31 - 1)), "verbose": -9, "verb_log": 0,
                    "verb_disp": 0, "maxfevals": counter.budget - counter.n}
            if popsize:
                opts["popsize"] = popsize
            es = cma.CMAEvolutionStrategy(start, sigma0, opts)
            while not es.stop():
                pop = es.ask()
                es.tell(pop, counter.values(np.array(pop)).tolist())
            popsize = 2 * es.popsize
            start = setup.uniform(rng, ())

    return _loop(setup, rng_of, one)


def _dual_annealing(setup, rng_of):
    from scipy.optimize import dual_annealing

    def one(counter, x0, rng):
        # dual annealing restarts itself (on reaching its restart temperature) until maxfun
        dual_annealing(counter.scalar, setup.f.bounds, maxfun=setup.budget, x0=x0, rng=rng)

    return _loop(setup, rng_of, one)


def _differential_evolution(setup, rng_of):
    """scipy's DE, restarted from a fresh population whenever it converges, to the budget."""
    from scipy.optimize import differential_evolution

    popsize, d = 15, setup.f.dim
    gen = popsize * d

    def one(counter, x0, rng):
        start = x0
        while counter.budget - counter.n >= 2 * gen:
            maxiter = (counter.budget - counter.n) // gen - 1  # nfev = gen * (maxiter + 1)
            differential_evolution(
                lambda xs: counter.values(np.asarray(xs).T), setup.f.bounds, popsize=popsize,
                maxiter=maxiter, polish=False, vectorized=True, updating="deferred", x0=start,
                rng=rng)
            start = None

    return _loop(setup, rng_of, one)


def _basinhopping(setup, rng_of):
    """Basin hopping: BFGS local searches (value and gradient at d + 1), random hops."""
    from scipy.optimize import basinhopping

    def one(counter, x0, rng):
        basinhopping(counter.value_and_grad, x0, niter=10**6, stepsize=0.1 * setup.width, rng=rng,
                     minimizer_kwargs={"jac": True, "method": "BFGS"},
                     callback=lambda x, fx, accept: counter.n >= counter.budget)

    return _loop(setup, rng_of, one)


# ---------------------------------------------------------------------------------------------
# The registry and the driver
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    kind: str  # "library" or "reference"
    batched: bool
    fn: object
    settings: str


METHODS = [
    Method("random", "random search", "library", True, _random,
           "heuristics.random_search in the box (the floor every method must beat)"),
    Method("gd", "GD + restarts", "library", True, _gd,
           f"sgd(lr = {TUNED['gd_alpha']} w^2) on f / S, S = std of f at 10 d paid uniform "
           f"points (alpha tuned on TRAINING), {RESTART_STEPS}-step restarts"),
    Method("momentum", "momentum + restarts", "library", True, _momentum,
           f"momentum(lr = {TUNED['momentum_alpha']} w^2, beta = 0.9) on f / S, as GD (alpha "
           f"tuned on TRAINING), {RESTART_STEPS}-step restarts"),
    Method("adam", "Adam + restarts", "library", True, _adam,
           f"adam(lr = {TUNED['adam_alpha']} w) (alpha tuned on TRAINING), "
           f"{RESTART_STEPS}-step restarts"),
    Method("hill", "hill climbing + restarts", "library", True, _hill,
           "heuristics.hill_climbing, Gaussian step 0.07 w / sqrt(d), 4 restarts"),
    Method("sa", "simulated annealing + restart", "library", True, _annealing,
           "heuristics.simulated_annealing, Gaussian step 0.07 w / sqrt(d), T0 = std of f at "
           "10 d paid uniform points, geometric cooling to 1e-3 T0, 2 restarts"),
    Method("score", "score function + Adam", "library", True, _score,
           "score_function(antithetic, n = 2 max(2, d)), sigma 0.1 w -> 0.005 w, "
           "adam(lr = sigma / 2)"),
    Method("pathwise", "pathwise + Adam", "library", True, _pathwise,
           "reparameterization(antithetic, n = 2), sigma 0.1 w -> 0.005 w, adam(lr = sigma / 2)"),
    Method("schedule", "sigma schedule (discontinuous)", "library", True, _schedule,
           "score_function(antithetic, n = 16 max(2, d)), sigma 0.125 w -> 0.05 w, "
           "sgd(lr = 1.2 (sigma / sigma0)^2 (w / 4)^2): discontinuous.md's constants"),
    Method("xnes", "xNES (one run)", "library", True, _xnes,
           "variational.nes(covariance='full', sigma0 = w / 4), n = 4 + 3 ln d, no restart"),
    Method("solve", "smoothopt.solve", "library", False, _solve,
           "solve(f, bounds, budget, rng): xNES, IPOP restarts, tied ranks, plateau rule"),
    Method("cma", "CMA-ES (IPOP)", "reference", False, _cma,
           "pycma CMAEvolutionStrategy(sigma0 = w / 4), restarts with doubled popsize"),
    Method("de", "differential evolution", "reference", False, _differential_evolution,
           "scipy, popsize 15, polish=False, in the box, restarted when it converges"),
    Method("da", "dual annealing", "reference", False, _dual_annealing,
           "scipy, maxfun = budget, in the box"),
    Method("bh", "basin hopping", "reference", False, _basinhopping,
           "scipy, BFGS local search, stepsize 0.1 w"),
]
KEYS = [m.key for m in METHODS]


def method_of(key):
    return METHODS[KEYS.index(key)]


def label_of(key):
    return method_of(key).label


def run_one(problem, method, runs, grad_cost=None):
    """One method on one problem: an :class:`Outcome`."""
    setup = make_setup(problem, runs, grad_cost)
    mi = KEYS.index(method.key)
    t0, c0 = time.perf_counter(), time.process_time()
    if method.batched:
        got = method.fn(setup, setup.rng(2, mi))
    else:
        got = method.fn(setup, lambda r: setup.rng(3, mi, r))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if got is None:
        empty = np.full(0, np.nan)
        return setup, Outcome(method.key, empty, np.full((setup.targets.size, 0), np.nan), empty,
                              seconds, "not applicable: needs a gradient", applicable=False,
                              cpu=cpu)
    best, hit, nfev, note = got
    return setup, Outcome(method.key, best, hit, nfev, seconds, note, cpu=cpu)


def _task(args):
    pkey, mkey, runs, grad_cost, cache = args
    if cache:
        import pickle

        path = os.path.join(cache, f"{pkey}.{mkey}.{runs}.pkl")
        if os.path.exists(path):
            with open(path, "rb") as fh:
                return pickle.load(fh)
    out = (pkey, run_one(problem_of(pkey), method_of(mkey), runs, grad_cost)[1])  # picklable
    if cache:
        with open(path + ".tmp", "wb") as fh:
            pickle.dump(out, fh)
        os.replace(path + ".tmp", path)
    return out


def run(scale="book", problems=None, methods=None, grad_cost=None, runs=None, jobs=1,
        progress=False, cache=None, pairs=None):
    """Run the benchmark; a list of ``(setup, [Outcome, ...])``, one per problem.

    ``pairs``, a list of ``(problem key, method key)``, runs exactly those instead of every method
    on every problem.
    """
    if scale not in SCALES:
        raise ValueError(f"'scale' must be one of {sorted(SCALES)}, got {scale!r}.")
    problems = SCALES[scale]["problems"] if problems is None else list(problems)
    methods = KEYS if methods is None else list(methods)
    runs = SCALES[scale]["runs"] if runs is None else runs
    if cache:
        os.makedirs(cache, exist_ok=True)
    if pairs is not None:
        problems = list(dict.fromkeys(p for p, _ in pairs))
        methods = list(dict.fromkeys(m for _, m in pairs))
    tasks = ([(p, m, runs, grad_cost, cache) for p, m in pairs] if pairs is not None else
             [(p, m, runs, grad_cost, cache) for p in problems for m in methods])
    if cache and os.environ.get("COMPARE_CACHED_ONLY"):  # assemble what a run has finished
        tasks = [t for t in tasks if os.path.exists(os.path.join(cache, f"{t[0]}.{t[1]}.{runs}.pkl"))]
    # the slow tasks first, so that two workers finish together: by the CPU time each task took in
    # the committed run where there is one, else by budget (the order changes no result)
    try:
        cost = {(r["problem"], r["method"]): r["cpu_seconds"] * 100 / r["runs"]
                for r in load()["records"] if r["runs"]}
    except (OSError, ValueError, KeyError):
        cost = {}

    def order(t):
        k, m = t[0], t[1]
        return -cost.get((k, m), budget_of(problem_of(k).dim)
                         * (1 + 3 * (not method_of(m).batched)) / 1000)

    tasks.sort(key=order)
    if os.environ.get("COMPARE_REVERSE"):  # a second process on the same cache, from the other end
        tasks.reverse()
    done = {}
    t0 = time.perf_counter()
    if jobs > 1:
        import multiprocessing as mp

        import cma  # noqa: F401  imported once here, not in every forked worker
        import scipy.optimize  # noqa: F401
        import scipy.stats  # noqa: F401

        with mp.get_context("fork").Pool(jobs) as pool:
            for i, out in enumerate(pool.imap_unordered(_task, tasks)):
                done[(out[0], out[1].method)] = out
                if progress:
                    _bar(i + 1, len(tasks), time.perf_counter() - t0)
    else:
        for i, t in enumerate(tasks):
            done[(t[0], t[1])] = _task(t)
            if progress:
                _bar(i + 1, len(tasks), time.perf_counter() - t0)
    if progress:
        print(file=sys.stderr)
    results = []
    for p in problems:
        if not any((p, m) in done for m in methods):
            continue
        setup = make_setup(problem_of(p), runs, grad_cost)
        results.append((setup, [done[(p, m)][1] for m in methods if (p, m) in done]))
    return results


def rotated(key, seed=1):
    """The problem ``key`` seen through a fixed random rotation ``Q`` about the origin, where its
    minimizer is: ``f(Q x)`` on the same box, with the same ``f*``, ``tol`` and budget. A control
    for methods whose success rests on the coordinate axes (Rastrigin is a sum of 1-D terms)."""
    from scipy.stats import special_ortho_group

    base = problem_of(key).objective
    d = base.dim
    Q = special_ortho_group.rvs(d, random_state=seed)
    return objectives.Objective(
        f"{base.name} rotated", d, lambda x: base(x @ Q.T),
        grad=(lambda x: base.grad(x @ Q.T) @ Q) if base.has_grad else None,
        bounds=base.bounds, minimizers=np.zeros((1, d)))


def _rotated_task(args):
    key, mkey, runs, seed = args
    setup = make_setup(problem_of(key), runs)
    setup.f = rotated(key, seed)
    base = setup.problem
    setup.problem = Problem(base.name, base.dim, base.tol, base.gap, label=f"{base.key} rotated")
    m, mi = method_of(mkey), KEYS.index(mkey)
    t0, c0 = time.perf_counter(), time.process_time()
    got = m.fn(setup, setup.rng(2, mi)) if m.batched else m.fn(setup, lambda r: setup.rng(3, mi, r))
    best, hit, nfev, note = got
    out = Outcome(mkey, best, hit, nfev, time.perf_counter() - t0, note, cpu=time.process_time() - c0)
    return summarize([(setup, [out])])[0]


def run_rotated(tasks, runs=30, seed=1, jobs=1):
    """Methods on :func:`rotated` problems: ``tasks`` is a list of ``(problem key, method key)``.
    The same starts, random streams, budget and success rule as on the unrotated problem.
    Records like :func:`summarize`'s, with the problem named ``"<key> rotated"``."""
    args = [(k, m, runs, seed) for k, m in tasks]
    if jobs > 1:
        import multiprocessing as mp

        import cma  # noqa: F401
        import scipy.optimize  # noqa: F401
        import scipy.stats  # noqa: F401

        with mp.get_context("fork").Pool(jobs) as pool:
            return pool.map(_rotated_task, args, chunksize=1)
    return [_rotated_task(a) for a in args]


# the rotation control of the chapter's Rastrigin section: do the separable wins need the axes?
ROTATION_TASKS = [("rastrigin-5", "da"), ("rastrigin-2", "da"), ("rastrigin-2", "de"),
                  ("rastrigin-2", "solve")]


def load_rotated(path=None):
    """The committed rotation control (``benchmarks/results/compare.rotated.json``)."""
    with open(path or os.path.join(RESULTS, "compare.rotated.json")) as fh:
        return json.load(fh)


def _bar(i, n, seconds, width=40):
    filled = int(width * i / n)
    eta = seconds / i * (n - i)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {i}/{n} tasks, "
                     f"{seconds:5.0f} s elapsed, about {eta:4.0f} s to go ")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------------


def wilson(k, n, z=1.96):
    """95% Wilson score interval of a success rate ``k / n``."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _stats(hit, nfev):
    ok = np.isfinite(hit)
    k = int(ok.sum())
    spent = np.where(ok, hit, nfev).sum()
    return {"successes": k,
            "median_evals": float(np.median(hit[ok])) if k else None,
            "q25": float(np.quantile(hit[ok], 0.25)) if k else None,
            "q75": float(np.quantile(hit[ok], 0.75)) if k else None,
            "art": float(spent / k) if k else None}


def summarize(results):
    """One record per (problem, method): the main target's statistics and every target's."""
    rows = []
    for setup, outcomes in results:
        for o in outcomes:
            row = {"problem": setup.problem.key, "method": o.method, "dim": setup.f.dim,
                   "budget": setup.budget, "runs": o.runs, "applicable": o.applicable,
                   "seconds": round(o.seconds, 3), "cpu_seconds": round(o.cpu, 3),
                   "note": o.note, "tol": setup.problem.tol}
            if o.applicable:
                row.update(_stats(o.hit[0], o.nfev))
                row["rate"] = row["successes"] / o.runs
                row["ci"] = list(wilson(row["successes"], o.runs))
                row["max_nfev"] = int(o.nfev.max())
                row["targets"] = [dict(precision=p, **_stats(o.hit[j], o.nfev))
                                  for j, p in enumerate(setup.problem.precisions)]
                row["hits"] = [[None if not np.isfinite(h) else int(h) for h in o.hit[j]]
                               for j in range(o.hit.shape[0])]
            rows.append(row)
    return rows


def load(path=None):
    """The committed full-scale records (``benchmarks/results/compare.json``)."""
    with open(path or os.path.join(RESULTS, "compare.json")) as fh:
        return json.load(fh)


def ecdf(rows, problem, method, k):
    """Fraction of (run, target) pairs reached within ``k`` evaluations (the COCO runtime ECDF)."""
    r = next(r for r in rows if r["problem"] == problem and r["method"] == method)
    hits = np.array([[np.inf if h is None else h for h in t] for t in r["hits"]], dtype=float)
    return (hits.reshape(-1)[None, :] <= np.asarray(k)[:, None]).mean(axis=1)


def table(rows):
    """A plain-text table of :func:`summarize`'s rows."""
    head = (f"{'problem':<20} {'method':<31} {'runs':>4} {'success':>7} {'95% CI':>12} "
            f"{'median':>7} {'IQR':>11} {'aRT':>7} {'1e-5':>5} {'max nfev':>8}  note")
    lines = [head, "-" * len(head)]
    last = None
    for r in rows:
        if last is not None and r["problem"] != last:
            lines.append("")
        last = r["problem"]
        name = label_of(r["method"])
        if not r["applicable"]:
            lines.append(f"{r['problem']:<20} {name:<31} {'-':>4} {'n/a':>7}  {r['note']}")
            continue
        ci = f"[{r['ci'][0]:.2f},{r['ci'][1]:.2f}]"
        if r["successes"]:
            med, iqr, art = (f"{r['median_evals']:.0f}", f"{r['q25']:.0f}-{r['q75']:.0f}",
                             f"{r['art']:.0f}")
        else:
            med, iqr, art = "-", "-", "inf"
        fine = r["targets"][-1]["successes"] / r["runs"]
        lines.append(
            f"{r['problem']:<20} {name:<31} {r['runs']:>4} {r['rate']:>7.0%} {ci:>12} "
            f"{med:>7} {iqr:>11} {art:>7} {fine:>5.0%} {r['max_nfev']:>8}  {r['note']}")
    return "\n".join(lines)


def pivot_markdown(rows, methods=None):
    """Markdown: one row per method, one column per problem, each cell ``success % (median)``
    (``(median, n = k)`` when only k < 10 runs succeeded)."""
    methods = methods or list(dict.fromkeys(r["method"] for r in rows))
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    cell = {(r["problem"], r["method"]): r for r in rows}
    out = ["| method | " + " | ".join(f"`{p}`" for p in problems) + " |",
           "|---|" + "---|" * len(problems)]
    for m in methods:
        items = []
        for p in problems:
            r = cell.get((p, m))
            if r is None:
                items.append("not run")
            elif not r["applicable"]:
                items.append("n/a")
            elif r["successes"] >= 10:
                items.append(f"{r['rate']:.0%} ({r['median_evals']:.0f})")
            elif r["successes"]:  # a median of a few runs: say how few
                items.append(f"{r['rate']:.0%} ({r['median_evals']:.0f}, n = {r['successes']})")
            else:
                items.append("0%")
        out.append(f"| {label_of(m)} | " + " | ".join(items) + " |")
    return "\n".join(out)


def settings_text(scale, runs, problems):
    lines = [
        f"scale {scale!r}: {runs} runs of every method on every problem",
        f"seed {SEED}: starts from default_rng([{SEED}, problem]); batched method m from "
        f"default_rng([{SEED}, problem, 2, m]); one-at-a-time method m, run r from "
        f"default_rng([{SEED}, problem, 3, m, r])",
        f"budget max({MIN_BUDGET}, {BUDGET_PER_DIM} d) evaluations; a gradient costs d and comes "
        "with the value at its point (d + 1 per gradient point)",
        "success: any paid-for point with f - f* <= tol (the global basin); finer targets "
        f"f - f* <= {', '.join(f'{p:g}' for p in PRECISIONS)} below tol; w = mean side of the box",
        f"constants tuned once on {', '.join(p.key for p in TRAINING)} (not in the table): "
        + ", ".join(f"{k} = {v}" for k, v in TUNED.items()),
        "",
        f"{'problem':<20} {'d':>2} {'budget':>6} {'f*':>8} {'tol':>5} {'gap':>6} {'w':>6}",
    ]
    for key in problems:
        p = problem_of(key)
        f = p.objective
        w = float(np.mean(f.bounds[:, 1] - f.bounds[:, 0]))
        lines.append(f"{p.key:<20} {f.dim:>2} {budget_of(f.dim):>6} {f.minimum:>8.4f} "
                     f"{p.tol:>5.2g} {p.gap:>6.3g} {w:>6.2f}")
    lines += ["", "methods:"] + [f"  {m.label:<31} {m.settings}" for m in METHODS]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Choosing the free constants, once, on problems that are not in the table
# ---------------------------------------------------------------------------------------------


def tune(runs=100):
    """Mean success rate over ``TRAINING`` for every value of ``TUNE_GRID``: ``{name: {value:
    rate}}``. ``TUNED`` holds the best of each (ties to the smaller step)."""
    fns = {"gd_alpha": ("gd", _gd), "momentum_alpha": ("momentum", _momentum),
           "adam_alpha": ("adam", _adam)}
    out = {}
    for name, grid in TUNE_GRID.items():
        key, fn = fns[name]
        out[name] = {}
        for value in grid:
            rates = []
            for p in TRAINING:
                setup = make_setup(p, runs)
                best, hit, nfev, _ = fn(setup, setup.rng(4, KEYS.index(key)), alpha=value)
                rates.append(float(np.isfinite(hit[0]).mean()))
            out[name][value] = float(np.mean(rates))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--problems", nargs="*", help="problem keys (default: the scale's)")
    parser.add_argument("--methods", nargs="*", help="method keys (default: all)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--grad-cost", type=int, default=None,
                        help="evaluations one gradient costs (default: d)")
    parser.add_argument("--tune", action="store_true", help="rerun the tuning on TRAINING")
    parser.add_argument("--note", default="", help="a note on how this run was made, kept with it")
    parser.add_argument("--cache", default=None,
                        help="a directory keeping each finished task, so a rerun resumes")
    parser.add_argument("--rotated", action="store_true",
                        help="the rotation control (writes results/compare.rotated.json)")
    parser.add_argument("--ablation", action="store_true",
                        help="solve with each part removed (writes results/compare.ablation.json)")
    args = parser.parse_args(argv)
    if args.tune:
        out = tune()
        print(json.dumps(out, indent=1))
        with open(os.path.join(RESULTS, "compare.tuning.json"), "w") as fh:
            json.dump({"training": [p.key for p in TRAINING], "grid": out, "chosen": TUNED}, fh,
                      indent=1)
        return 0
    if args.rotated:
        t0, load0 = time.perf_counter(), os.getloadavg()[0]
        runs = args.runs or 100
        rows = run_rotated(ROTATION_TASKS, runs=runs, jobs=args.jobs)
        with open(os.path.join(RESULTS, "compare.rotated.json"), "w") as fh:
            json.dump({"runs": runs, "tasks": ROTATION_TASKS,
                       "wall_seconds": round(time.perf_counter() - t0, 1), "jobs": args.jobs,
                       "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2),
                       "records": rows}, fh, indent=0)
        for r in rows:
            print(f"{r['problem']:<20} {r['method']:<8} {r['successes']:>3}/{r['runs']} "
                  f"[{r['ci'][0]:.2f}, {r['ci'][1]:.2f}]")
        return 0
    if args.ablation:
        t0, c0, load0 = time.perf_counter(), time.process_time(), os.getloadavg()[0]
        rows = ablation(args.runs or 100, args.problems, progress=True)
        print(file=sys.stderr)
        with open(os.path.join(RESULTS, "compare.ablation.json"), "w") as fh:
            json.dump({"runs": args.runs or 100, "wall_seconds": round(time.perf_counter() - t0, 1),
                       "cpu_seconds": round(time.process_time() - c0, 1),
                       "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2),
                       "records": rows}, fh, indent=0)
        for r in rows:
            print(f"{r['problem']:<20} {r['variant']:<34} {r['rate']:>5.0%} "
                  f"[{r['ci'][0]:.2f}, {r['ci'][1]:.2f}] median {r['median_evals']}")
        return 0
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    results = run(args.scale, args.problems, args.methods, args.grad_cost, args.runs, args.jobs,
                  progress=True, cache=args.cache)
    rows = summarize(results)
    wall = time.perf_counter() - t0
    cpu = sum(r["cpu_seconds"] for r in rows)
    runs = rows[0]["runs"]
    problems = [s.problem.key for s, _ in results]
    text = (f"{settings_text(args.scale, runs, problems)}\n\n{table(rows)}\n\n"
            f"wall time {wall:.0f} s with {args.jobs} worker processes on {os.cpu_count()} cores "
            f"(load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end); "
            f"{cpu:.0f} CPU seconds in all, {cpu / 2 / 60:.1f} min on 2 idle cores"
            + (f"\n{args.note}" if args.note else ""))
    print(text)
    if args.scale == "full" and not args.problems and not args.methods and args.runs is None:
        os.makedirs(RESULTS, exist_ok=True)
        meta = {"scale": args.scale, "runs": runs, "seed": SEED, "wall_seconds": round(wall, 1),
                "cpu_seconds": round(cpu, 1),
                "jobs": args.jobs, "cores": os.cpu_count(), "load_start": round(load0, 2),
                "load_end": round(os.getloadavg()[0], 2), "numpy": np.__version__,
                "python": platform.python_version(), "tuned": TUNED, "precisions": PRECISIONS,
                "problems": problems, "methods": KEYS, "note": args.note}
        with open(os.path.join(RESULTS, "compare.json"), "w") as fh:
            json.dump({"meta": meta, "records": rows}, fh, separators=(",", ":"))
            fh.write("\n")
        with open(os.path.join(RESULTS, "compare.md"), "w") as fh:
            fh.write("# Every method on every bad objective, full scale\n\n"
                     "Written by `make compare` (`python benchmarks/compare.py --scale full`); the "
                     "records, with every run's evaluations to each target, are in "
                     "[`compare.json`](compare.json).\n\n"
                     "Success rate (median evaluations to the main target) per method and "
                     f"problem, {runs} runs each:\n\n{pivot_markdown(rows)}\n\n"
                     f"The full output:\n\n```\n{text}\n```\n")
    over = [r for r in rows if r["applicable"] and r["max_nfev"] > r["budget"]]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
