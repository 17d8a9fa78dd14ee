"""Every method on every bad objective, at an equal budget of function evaluations.

Usage, from the repository root::

    .venv/bin/python benchmarks/compare.py --scale full     # the full benchmark (minutes)
    .venv/bin/python benchmarks/compare.py --scale book     # the chapter's run (seconds)

The chapter ``book/benchmark.md`` imports this module and calls :func:`run` at book scale.

The rules, the same for every method:

* **Budget.** Each run may spend ``budget`` evaluations of ``f`` (``BUDGET_PER_DIM * d``, at
  least ``MIN_BUDGET``). A gradient counts as ``d`` evaluations (``--grad-cost``): that is what a
  forward-difference gradient costs on top of the value at the same point, and what the references
  really pay, since scipy's local searches difference ``f`` exactly that way. A step of a gradient
  method pays for the value and the gradient at its iterate, ``d + 1``. A counting wrapper stops
  any method at the budget, so no run can overspend.
* **Starts.** Run ``r`` of every method starts at the same point ``x0[r]``, drawn uniformly in the
  objective's box (``Objective.bounds``) from the seed ``(SEED, problem index)``; restarts draw
  further points in the same box. The box is also the search domain of the references that need
  one (differential evolution, dual annealing).
* **Success.** A run succeeds when a point it paid to evaluate has ``f <= f* + tol``. ``tol`` is
  below the gap between ``f*`` and the next-best local minimum, so a successful point lies in the
  global basin (gradient flow only lowers ``f``, so no point with a value under a local minimum's
  value can flow into that minimum).
* **Evaluations to target.** The number of evaluations spent when the first such point was
  evaluated. ``aRT`` (average running time) is the evaluations all runs spent (to success or to the
  end of the budget) divided by the number of successes, the COCO platform's summary of both.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

try:  # pragma: no cover - run from the repository root without installing
    import smoothopt  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smoothopt import estimators, minimize, objectives, optimizers  # noqa: E402

try:  # written alongside this harness; the benchmark runs without them
    from smoothopt import heuristics, variational
except ImportError:  # pragma: no cover
    heuristics = variational = None

try:  # tiny linear algebra is slower, not faster, on many BLAS threads
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

SEED = 20260607
BUDGET_PER_DIM = 500
MIN_BUDGET = 1000

#: scale -> runs of the batched library methods, runs of the looped references
SCALES = {
    "book": {"runs": 100, "reference_runs": 3},
    "full": {"runs": 1000, "reference_runs": 100},
}


@dataclass(frozen=True)
class Problem:
    """An objective, its dimension and its target ``f <= f* + tol``."""

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


#: The gaps are the next-best local minimum found by 4,000 gradient descents from uniform starts
#: (wavy_bowl -1.562, nightmare -0.938, ripple's cone tip 0, easom about 0, rastrigin 0.995,
#: ackley 2.58 in 2-D and about 1.2 with one coordinate off zero in 10-D) or the next level.
PROBLEMS = [
    Problem("wavy_bowl", 2, tol=0.1, gap=0.40),
    Problem("quantized_wavy_bowl", 2, tol=0.5, gap=1.0),
    Problem("nightmare", 2, tol=0.03, gap=0.070),
    Problem("ripple", 2, tol=0.1, gap=1.0),
    Problem("easom", 2, tol=0.1, gap=1.0),
    Problem("rastrigin", 2, tol=0.5, gap=0.995, label="rastrigin-2"),
    Problem("ackley", 2, tol=0.5, gap=2.58, label="ackley-2"),
    Problem("rastrigin", 10, tol=0.5, gap=0.995, label="rastrigin-10"),
    Problem("ackley", 10, tol=0.5, gap=1.2, label="ackley-10"),
    Problem("floored_sinc", 1, tol=0.5, gap=1.0),
]


def budget_of(dim):
    return max(MIN_BUDGET, BUDGET_PER_DIM * dim)


# ---------------------------------------------------------------------------------------------
# Shared setup of one problem
# ---------------------------------------------------------------------------------------------


@dataclass
class Setup:
    """Everything every method of one problem shares."""

    problem: Problem
    f: objectives.Objective
    index: int
    budget: int
    target: float
    x0: np.ndarray  # (runs, d), the common starts
    width: float  # mean side of the box
    lr: float  # gradient-descent step 1/L
    T0: float  # starting temperature of simulated annealing
    grad_cost: int
    extra: dict = field(default_factory=dict)

    def rng(self, *keys):
        return np.random.default_rng([SEED, self.index, *keys])

    def uniform(self, rng, shape):
        b = self.f.bounds
        return rng.uniform(b[:, 0], b[:, 1], size=tuple(shape) + (self.f.dim,))


def free_tuning(f, rng, n=256):
    """``(1 / L, T0)`` from ``n`` uniform points of the box, not charged to any budget.

    ``L`` is the 99th percentile of the Hessian's largest ``|eigenvalue|`` (``None`` without a
    gradient): the step a practitioner would tune for gradient descent. ``T0`` is the standard
    deviation of ``f``: the starting temperature of simulated annealing.
    """
    b = f.bounds
    pts = rng.uniform(b[:, 0], b[:, 1], size=(n, f.dim))
    spread = float(np.std(f(pts)))
    if not f.has_grad:
        return None, spread
    hess = estimators.hessian(f, pts)
    big = np.abs(np.linalg.eigvalsh(hess)).max(axis=-1)
    return float(1.0 / np.quantile(big, 0.99)), spread


def make_setup(index, problem, runs, grad_cost=None):
    f = problem.objective
    d = f.dim
    setup = Setup(
        problem=problem,
        f=f,
        index=index,
        budget=budget_of(d),
        target=f.minimum + problem.tol,
        x0=None,
        width=float(np.mean(f.bounds[:, 1] - f.bounds[:, 0])),
        lr=None,
        T0=None,
        grad_cost=d if grad_cost is None else int(grad_cost),
    )
    # The starts come first from their own stream, so a smaller scale runs a prefix of them.
    setup.x0 = setup.uniform(setup.rng(0), (runs,))
    setup.lr, setup.T0 = free_tuning(f, setup.rng(1))
    return setup


# ---------------------------------------------------------------------------------------------
# What a method returns
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Per-run results of one method on one problem."""

    method: str
    best: np.ndarray  # (runs,) best value among the points paid for
    hit: np.ndarray  # (runs,) evaluations spent when the target was first reached; inf if never
    nfev: np.ndarray  # (runs,) evaluations spent in all
    seconds: float
    note: str = ""
    applicable: bool = True

    @property
    def runs(self):
        return int(self.best.size)

    @property
    def success(self):
        return np.isfinite(self.hit)


def _first_hit(values, costs, target):
    """Evaluations spent at the first value ``<= target`` along axis 0; ``inf`` if none.

    ``values`` is ``(k, runs)`` in the order the method evaluated them and ``costs`` ``(k,)`` the
    cumulative evaluations spent once each was known.
    """
    with np.errstate(invalid="ignore"):
        reached = values <= target
    first = np.argmax(reached, axis=0)
    any_hit = reached.any(axis=0)
    return np.where(any_hit, np.asarray(costs, dtype=float)[first], np.inf)


# ---------------------------------------------------------------------------------------------
# The library's methods: one batched call over all runs
# ---------------------------------------------------------------------------------------------

RESTART_STEPS = 100  # steps per restart of the gradient methods


def _gradient_oracle(setup):
    """Analytic gradient where it exists, forward differences otherwise (the same cost)."""
    if setup.f.has_grad:
        return None
    return estimators.oracle(setup.f, "finite_difference", scheme="forward")


def restarts(setup, optimizer, rng=None):
    """Gradient steps from the common start, then from fresh uniform starts, to the budget.

    Every restart takes ``RESTART_STEPS`` steps and pays ``d + 1`` (value and gradient) at each of
    its ``RESTART_STEPS + 1`` iterates.
    """
    f, runs, d = setup.f, setup.x0.shape[0], setup.f.dim
    per_point = setup.grad_cost + 1
    length = RESTART_STEPS + 1
    n_restarts = max(1, setup.budget // (length * per_point))
    starts = np.empty((runs, n_restarts, d))
    starts[:, 0] = setup.x0
    starts[:, 1:] = setup.uniform(rng, (runs, n_restarts - 1))
    res = minimize(f, starts, optimizer, steps=RESTART_STEPS, grad=_gradient_oracle(setup))
    # (length, runs, R) -> (R * length, runs) in the order they were evaluated
    vals = np.moveaxis(res.values, 2, 0).reshape(n_restarts * length, runs)
    costs = per_point * np.arange(1, n_restarts * length + 1)
    with np.errstate(invalid="ignore"):
        best = np.nanmin(np.where(np.isfinite(vals), vals, np.inf), axis=0)
    hit = _first_hit(vals, costs, setup.target)
    return best, hit, np.full(runs, costs[-1]), f"{n_restarts} restarts x {RESTART_STEPS} steps"


def sigma_schedule(setup, steps):
    """Geometric annealing of the smoothing width from ``0.1 w`` to ``0.005 w`` (box side ``w``)."""
    s0, s1 = 0.1 * setup.width, 0.005 * setup.width

    def sigma(t):
        return s0 * (s1 / s0) ** (min(t, steps) / steps)

    return sigma


def smoothed(setup, method, rng):
    """Adam on an estimate of the gradient of ``f_sigma``, with ``sigma`` annealed.

    ``lr`` follows ``sigma`` (``lr = 0.5 sigma``), so steps shrink as the smoothing does. Pays the
    estimator's samples at every step and one value at each iterate.
    """
    f, runs, d = setup.f, setup.x0.shape[0], setup.f.dim
    if method == "score_function":
        n = 2 * max(2, d)  # antithetic pairs
        per_step = n + 1
        options = dict(n=n, antithetic=True)
    else:
        n = 2
        per_step = n * setup.grad_cost + 1
        options = dict(n=n, antithetic=True)
    steps = (setup.budget - 1) // per_step
    sigma = sigma_schedule(setup, steps)
    grad = estimators.oracle(f, method, sigma=sigma, **options)
    res = minimize(f, setup.x0, optimizers.adam(lambda t: 0.5 * sigma(t)), steps=steps, grad=grad,
                   rng=rng)
    vals = res.values  # (steps + 1, runs)
    costs = 1 + per_step * np.arange(steps + 1)
    with np.errstate(invalid="ignore"):
        best = np.nanmin(np.where(np.isfinite(vals), vals, np.inf), axis=0)
    hit = _first_hit(vals, costs, setup.target)
    return best, hit, np.full(runs, costs[-1]), f"n = {n}, {steps} steps"


def _gd(setup, rng):
    lr = setup.lr if setup.lr is not None else 0.01 * setup.width
    return restarts(setup, optimizers.sgd(lr), rng)


def _momentum(setup, rng):
    lr = setup.lr if setup.lr is not None else 0.01 * setup.width
    return restarts(setup, optimizers.momentum(lr, beta=0.9), rng)


def _adam(setup, rng):
    return restarts(setup, optimizers.adam(0.01 * setup.width), rng)


def _score(setup, rng):
    return smoothed(setup, "score_function", rng)


def _pathwise(setup, rng):
    if not setup.f.has_grad:
        return None
    return smoothed(setup, "reparameterization", rng)


def _values_along(setup, vals, per_step, first=1):
    """best, first hit and spend for values ``(k + 1, runs)`` known after ``first + per_step t``."""
    k = vals.shape[0] - 1
    costs = first + per_step * np.arange(k + 1)
    with np.errstate(invalid="ignore"):
        best = np.nanmin(np.where(np.isfinite(vals), vals, np.inf), axis=0)
    hit = _first_hit(vals, costs, setup.target)
    return best, hit, np.full(vals.shape[1], costs[-1])


def _annealing(setup, rng):
    """Simulated annealing: Gaussian steps of ``0.05 w``, ``T`` from ``T0`` down to ``1e-3 T0``."""
    steps = setup.budget - 1
    temperature = heuristics.geometric_cooling(setup.T0, 1e-3 ** (1 / steps))
    res = heuristics.simulated_annealing(setup.f, setup.x0, steps=steps,
                                         step_size=0.05 * setup.width,
                                         temperature=temperature, rng=rng)
    best, hit, nfev = _values_along(setup, res.values, 1)
    return best, hit, nfev, f"{steps} proposals"


def _xnes(setup, rng):
    """xNES (full covariance), population ``4 + 3 ln d``, ``sigma0 = w / 4``, plus the mean's value."""
    d = setup.f.dim
    n = 4 + int(3 * math.log(d))
    per_step = n + 1
    steps = (setup.budget - 1) // per_step
    res = variational.nes(setup.f, setup.x0, steps=steps, n=n, rng=rng, sigma0=0.25 * setup.width,
                          covariance="full")
    best, hit, nfev = _values_along(setup, res.values, per_step)
    return best, hit, nfev, f"n = {n}, {steps} steps"


# ---------------------------------------------------------------------------------------------
# The references: one run at a time, through a counting wrapper
# ---------------------------------------------------------------------------------------------


class _Exhausted(Exception):
    """Raised by :class:`Counter` when a method asks for more than its budget."""


class Counter:
    """Counts evaluations, records the first to reach the target, stops at the budget."""

    def __init__(self, setup):
        self.f, self.target, self.budget = setup.f, setup.target, setup.budget
        self.grad_cost = setup.grad_cost
        self.n = 0
        self.hit = math.inf
        self.best = math.inf
        self.stopped = False  # True if the wrapper, not the method's own options, stopped it

    def _record(self, vals):
        flat = np.asarray(vals, dtype=float).reshape(-1)
        room = self.budget - self.n
        take = flat[:room]
        if take.size:
            good = np.flatnonzero(take <= self.target)
            if good.size and not math.isfinite(self.hit):
                self.hit = float(self.n + good[0] + 1)
            finite = take[np.isfinite(take)]
            if finite.size:
                self.best = min(self.best, float(finite.min()))
        self.n += take.size
        if flat.size > room:
            self.stopped = True
            raise _Exhausted

    def values(self, x):
        """``f`` at points ``(..., d)``; every point costs one evaluation."""
        vals = np.asarray(self.f(x), dtype=float)
        self._record(vals)
        return vals

    def scalar(self, x):
        return float(self.values(np.asarray(x, dtype=float)))

    def value_and_grad(self, x):
        """Value and gradient at one point for ``grad_cost + 1`` evaluations.

        The analytic gradient where it exists, forward differences (``d`` more values) otherwise.
        """
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


def _loop(setup, runs, rng_of, one_run):
    best = np.empty(runs)
    hit = np.empty(runs)
    nfev = np.empty(runs, dtype=int)
    stops = 0
    own = []  # nfev the method itself reports, when it stopped on its own options
    limit = threadpool_limits(1) if threadpool_limits else nullcontext()
    with limit, warnings.catch_warnings():
        # scipy warns when a local search ends on its iteration cap: expected at a budget.
        warnings.simplefilter("ignore", RuntimeWarning)
        for r in range(runs):
            counter = Counter(setup)
            try:
                reported = one_run(counter, setup.x0[r], rng_of(r))
                if reported is not None:
                    own.append(reported == counter.n)
            except _Exhausted:
                pass
            stops += counter.stopped
            best[r], hit[r], nfev[r] = counter.best, counter.hit, counter.n
    note = f"budget cap by the wrapper in {stops}/{runs}"
    if own:
        note += f"; result's nfev = count in {sum(own)}/{len(own)}"
    return best, hit, nfev, note


def _cma(setup, runs, rng_of):
    """CMA-ES with IPOP restarts (population doubled at each restart) until the budget is spent."""
    import cma

    sigma0 = 0.25 * setup.width

    def one(counter, x0, rng):
        popsize = None
        start = x0
        while counter.n < counter.budget:
            opts = {"seed": int(rng.integers(1, 2**31 - 1)), "verbose": -9,
                    "maxfevals": counter.budget - counter.n}
            if popsize:
                opts["popsize"] = popsize
            es = cma.CMAEvolutionStrategy(start, sigma0, opts)
            while not es.stop():
                pop = es.ask()
                es.tell(pop, counter.values(np.array(pop)).tolist())
            popsize = 2 * es.popsize
            start = setup.uniform(rng, ())
        return None

    return _loop(setup, runs, rng_of, one)


def _dual_annealing(setup, runs, rng_of):
    from scipy.optimize import dual_annealing

    def one(counter, x0, rng):
        res = dual_annealing(counter.scalar, setup.f.bounds, maxfun=setup.budget, x0=x0, rng=rng)
        return res.nfev

    return _loop(setup, runs, rng_of, one)


def _differential_evolution(setup, runs, rng_of):
    from scipy.optimize import differential_evolution

    popsize = 15
    d = setup.f.dim
    maxiter = max(0, setup.budget // (popsize * d) - 1)  # nfev = popsize * d * (maxiter + 1)

    def one(counter, x0, rng):
        res = differential_evolution(
            lambda xs: counter.values(np.asarray(xs).T), setup.f.bounds, popsize=popsize,
            maxiter=maxiter, polish=False, vectorized=True, updating="deferred", x0=x0, rng=rng)
        return res.nfev * popsize * d  # vectorized: scipy counts calls of a whole population

    return _loop(setup, runs, rng_of, one)


def _basinhopping(setup, runs, rng_of):
    """Basin hopping: BFGS local searches (value and gradient at ``d + 1``), random hops."""
    from scipy.optimize import basinhopping

    def one(counter, x0, rng):
        res = basinhopping(
            counter.value_and_grad, x0, niter=10**6, stepsize=0.1 * setup.width, rng=rng,
            minimizer_kwargs={"jac": True, "method": "BFGS"},
            callback=lambda x, fx, accept: counter.n >= counter.budget)
        return res.nfev * (counter.grad_cost + 1)

    return _loop(setup, runs, rng_of, one)


# ---------------------------------------------------------------------------------------------
# The registry and the driver
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    kind: str  # "library" (batched) or "reference" (looped)
    fn: object
    settings: str


METHODS = [
    Method("gd", "GD + restarts", "library", _gd, "sgd(lr = 1/L), 100-step restarts"),
    Method("momentum", "momentum + restarts", "library", _momentum,
           "momentum(lr = 1/L, beta = 0.9), 100-step restarts"),
    Method("adam", "Adam + restarts", "library", _adam, "adam(lr = 0.01 w), 100-step restarts"),
    Method("score", "score function + Adam", "library", _score,
           "score_function(antithetic, n = 2 max(2, d)), sigma 0.1 w -> 0.005 w, "
           "adam(lr = sigma / 2)"),
    Method("pathwise", "pathwise + Adam", "library", _pathwise,
           "reparameterization(antithetic, n = 2), sigma 0.1 w -> 0.005 w, adam(lr = sigma / 2)"),
    Method("sa", "simulated annealing", "library", _annealing,
           "heuristics.simulated_annealing, step 0.05 w, geometric cooling T0 -> 1e-3 T0, "
           "T0 = std of f in the box"),
    Method("xnes", "xNES (variational)", "library", _xnes,
           "variational.nes(covariance='full', sigma0 = w / 4), n = 4 + 3 ln d, "
           "plus the mean's value each step"),
    Method("cma", "CMA-ES (IPOP)", "reference", _cma,
           "cma.CMAEvolutionStrategy(sigma0 = w / 4), restarts with doubled popsize"),
    Method("de", "differential evolution", "reference", _differential_evolution,
           "scipy, popsize 15, maxiter from the budget, polish=False, in the box"),
    Method("da", "dual annealing", "reference", _dual_annealing,
           "scipy, maxfun = budget, in the box"),
    Method("bh", "basin hopping", "reference", _basinhopping,
           "scipy, BFGS local search, stepsize 0.1 w"),
]


def available(method):
    if method.key == "sa":
        return heuristics is not None
    if method.key == "xnes":
        return variational is not None
    return True


def run_problem(index, problem, scale, methods=None, grad_cost=None):
    sizes = SCALES[scale]
    setup = make_setup(index, problem, sizes["runs"], grad_cost)
    out = []
    for mi, method in enumerate(METHODS):
        if (methods is not None and method.key not in methods) or not available(method):
            continue
        t0 = time.perf_counter()
        if method.kind == "library":
            got = method.fn(setup, setup.rng(2, mi))
        else:
            runs = sizes["reference_runs"]
            got = method.fn(setup, runs, lambda r, mi=mi: setup.rng(3, mi, r))
        seconds = time.perf_counter() - t0
        if got is None:
            empty = np.full(0, np.nan)
            out.append(Outcome(method.key, empty, empty, empty, seconds,
                               "not applicable: needs a gradient", applicable=False))
            continue
        best, hit, nfev, note = got
        out.append(Outcome(method.key, best, hit, nfev, seconds, note))
    return setup, out


def run(scale="book", problems=None, methods=None, grad_cost=None, verbose=False):
    """Run the benchmark; returns a list of ``(setup, [Outcome, ...])``, one per problem."""
    if scale not in SCALES:
        raise ValueError(f"'scale' must be one of {sorted(SCALES)}, got {scale!r}.")
    results = []
    for index, problem in enumerate(PROBLEMS):
        if problems is not None and problem.key not in problems:
            continue
        t0 = time.perf_counter()
        results.append(run_problem(index, problem, scale, methods, grad_cost))
        if verbose:
            print(f"  {problem.key}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return results


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


def summarize(results):
    """One row per (problem, method): runs, success rate, evaluations to target, aRT."""
    rows = []
    for setup, outcomes in results:
        for o in outcomes:
            row = {"problem": setup.problem.key, "method": o.method, "dim": setup.f.dim,
                   "budget": setup.budget, "runs": o.runs, "applicable": o.applicable,
                   "seconds": o.seconds, "note": o.note}
            if o.applicable:
                k = int(o.success.sum())
                hits = o.hit[o.success]
                spent = np.where(o.success, o.hit, o.nfev).sum()
                row.update(
                    successes=k,
                    rate=k / o.runs,
                    ci=wilson(k, o.runs),
                    median=float(np.median(hits)) if k else math.nan,
                    q25=float(np.quantile(hits, 0.25)) if k else math.nan,
                    q75=float(np.quantile(hits, 0.75)) if k else math.nan,
                    art=float(spent / k) if k else math.inf,
                    max_nfev=int(o.nfev.max()),
                )
            rows.append(row)
    return rows


def label_of(key):
    return next(m.label for m in METHODS if m.key == key)


def settings_text(results, scale):
    """The settings and seeds, printed with every table."""
    sizes = SCALES[scale]
    lines = [
        f"scale {scale!r}: {sizes['runs']} runs per library method (one batched call), "
        f"{sizes['reference_runs']} runs per reference (a loop)",
        f"seed {SEED}: starts from default_rng([{SEED}, problem]), library method m from "
        f"default_rng([{SEED}, problem, 2, m]), reference m run r from "
        f"default_rng([{SEED}, problem, 3, m, r])",
        f"budget max({MIN_BUDGET}, {BUDGET_PER_DIM} d) evaluations; a gradient costs "
        f"{grad_cost_text(results)} evaluations (a gradient step pays it plus 1 for the value)",
        "success: a paid-for point with f <= f* + tol; w = mean side of the box; L = 99th "
        "percentile of the Hessian's largest |eigenvalue| at 256 points of the box",
        f"numpy {np.__version__}, Python {platform.python_version()}",
        "",
        f"{'problem':<20} {'d':>2} {'budget':>6} {'f*':>8} {'tol':>5} {'gap':>6} {'w':>6} "
        f"{'1/L':>8} {'T0':>7}",
    ]
    for setup, _ in results:
        p = setup.problem
        lr = f"{setup.lr:.4g}" if setup.lr else "-"
        lines.append(
            f"{p.key:<20} {setup.f.dim:>2} {setup.budget:>6} {setup.f.minimum:>8.4f} "
            f"{p.tol:>5.2g} {p.gap:>6.3g} {setup.width:>6.2f} {lr:>8} {setup.T0:>7.3g}")
    lines.append("")
    lines.append("methods:")
    for m in METHODS:
        if available(m):
            lines.append(f"  {m.label:<24} {m.settings}")
    return "\n".join(lines)


def grad_cost_text(results):
    if all(s.grad_cost == s.f.dim for s, _ in results):
        return "d"
    return ", ".join(f"{s.grad_cost} ({s.problem.key})" for s, _ in results)


def table(rows):
    """A plain-text table of :func:`summarize`'s rows."""
    head = (f"{'problem':<20} {'method':<24} {'runs':>5} {'success':>8} {'95% CI':>13} "
            f"{'median evals':>12} {'IQR':>13} {'aRT':>8} {'max nfev':>8}  note")
    lines = [head, "-" * len(head)]
    last = None
    for r in rows:
        if last is not None and r["problem"] != last:
            lines.append("")
        last = r["problem"]
        name = label_of(r["method"])
        if not r["applicable"]:
            lines.append(f"{r['problem']:<20} {name:<24} {'-':>5} {'n/a':>8}  {r['note']}")
            continue
        ci = f"[{r['ci'][0]:.2f}, {r['ci'][1]:.2f}]"
        if r["successes"]:
            med = f"{r['median']:.0f}"
            iqr = f"{r['q25']:.0f}-{r['q75']:.0f}"
            art = f"{r['art']:.0f}"
        else:
            med, iqr, art = "-", "-", "inf"
        lines.append(
            f"{r['problem']:<20} {name:<24} {r['runs']:>5} {r['rate']:>8.1%} {ci:>13} "
            f"{med:>12} {iqr:>13} {art:>8} {r['max_nfev']:>8}  {r['note']}")
    return "\n".join(lines)


def pivot_markdown(rows):
    """A Markdown table: one row per problem, one column per method, each cell
    ``success % (median evaluations to target)``; ``n/a`` where a method does not apply."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    cell = {(r["problem"], r["method"]): r for r in rows}
    out = ["| problem | " + " | ".join(label_of(m) for m in methods) + " |",
           "|---|" + "---|" * len(methods)]
    for p in problems:
        items = []
        for m in methods:
            r = cell.get((p, m))
            if r is None or not r["applicable"]:
                items.append("n/a")
            elif r["successes"]:
                rate = f"{r['rate']:.1%}" if r["rate"] < 0.01 else f"{r['rate']:.0%}"
                items.append(f"{rate} ({r['median']:.0f})")
            else:
                items.append("0%")
        out.append(f"| `{p}` | " + " | ".join(items) + " |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--problems", nargs="*", help="problem keys (default: all)")
    parser.add_argument("--methods", nargs="*", help="method keys (default: all)")
    parser.add_argument("--grad-cost", type=int, default=None,
                        help="evaluations one gradient costs (default: d)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    results = run(args.scale, args.problems, args.methods, args.grad_cost, verbose=True)
    rows = summarize(results)
    wall = time.perf_counter() - t0
    text = (f"{settings_text(results, args.scale)}\n\n{table(rows)}\n\n"
            f"wall time {wall:.0f} s on {os.cpu_count()} cores")
    print(text)
    print("\nsuccess rate (median evaluations to target):\n\n" + pivot_markdown(rows))
    if args.scale == "full" and not args.problems and not args.methods:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "compare.md"), "w") as fh:
            fh.write("# Every method on every bad objective, full scale\n\n"
                     "Written by `make compare` (`python benchmarks/compare.py --scale full`).\n\n"
                     "Success rate (median evaluations to target) per problem and method:\n\n"
                     f"{pivot_markdown(rows)}\n\nThe full output:\n\n```\n{text}\n```\n")
    over = [r for r in rows if r["applicable"] and r["max_nfev"] > r["budget"]]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
