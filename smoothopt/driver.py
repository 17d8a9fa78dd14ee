r"""The one optimization loop, :func:`minimize`, and its :class:`Result`.

Besides the loop itself this module holds what every algorithm of the library
shares: the :class:`Result` they return, how they record iterates
(``record=``), and the progress report a ``callback`` receives after each step.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, NamedTuple, Optional, Union

import numpy as np

from ._checks import (
    as_points,
    as_rng,
    callable_arg,
    check_grad_output,
    checked_values,
    count,
    describe,
    positive,
)
from .estimators import Oracle
from .optimizers import Optimizer

__all__ = ["minimize", "Result", "MinimizeState", "Progress"]

Record = Union[str, int]


@dataclass(eq=False, repr=False)
class Result:
    """What :func:`minimize` and every other algorithm return, one entry per run.

    Fields can also be read as ``res["x"]`` (``res.keys()`` lists them), as with
    scipy's ``OptimizeResult``. A result pickles (``values`` are computed first)
    and ``==`` compares every field.

    Attributes
    ----------
    x : ndarray, shape (..., d)
        The final iterate of each run (for a diverged run: its last finite iterate).
    fun : ndarray, shape (...)
        ``f(x)``.
    path : ndarray, shape (m, ..., d)
        The recorded iterates (``record="path"``: every one, ``m = steps + 1``,
        starting with ``x0``); NaN after a run diverged. ``path_steps`` says
        which step each row is.
    nit : int
        Steps taken.
    nfev, njev : ndarray of int, shape (...)
        The same count in every method: the evaluations of ``f`` (and of its
        gradient) that the method's moves need, per run. That is the
        estimator's cost at every step in :func:`minimize`, ``n`` per step in
        NES and variational optimization, and every proposal including the
        start's value in the heuristics (they compare against it). Evaluations
        made only to report (``fun`` at the final iterate, the check of
        ``f(x0)`` before the first step, ``values``) are not counted.
    status : ndarray of str, shape (...)
        ``"completed"`` or ``"diverged"`` (a non-finite iterate or gradient, or
        ``|x| > max_norm``).
    success : ndarray of bool, shape (...)
        ``status == "completed"``.
    message : str
        A one-line summary.
    x_best, fun_best : ndarray or None
        The best point each run evaluated and its value, for the methods that
        track it (the heuristics); ``None`` elsewhere.
    state : NamedTuple or None
        Everything needed to continue: pass it back as ``state=`` (with
        ``res.x`` as the start) and two calls of 500 steps equal one of 1,000.
    path_steps : ndarray of int, shape (m,)
        The step index of each row of ``path``.
    """

    x: np.ndarray
    fun: np.ndarray
    path: np.ndarray
    nit: int
    nfev: np.ndarray
    njev: np.ndarray
    status: np.ndarray
    success: np.ndarray
    message: str
    diverged_at: np.ndarray = field(repr=False)
    x_best: Optional[np.ndarray] = None
    fun_best: Optional[np.ndarray] = None
    state: Any = None
    path_steps: Optional[np.ndarray] = None

    def _with_objective(self, f, values=None):
        """Remember ``f`` (not a field: it is how ``values`` is computed, not a result)."""
        self._f = f
        self._values = values
        return self

    @property
    def values(self) -> np.ndarray:
        """``f`` along the recorded path, shape ``(m, ...)``; computed on first use."""
        cached = getattr(self, "_values", None)
        if cached is None:
            f = getattr(self, "_f", None)
            if f is None:
                raise AttributeError(
                    "this Result has no objective to compute 'values' from (it was copied or "
                    "unpickled without them); evaluate f(res.path) yourself."
                )
            cached = path_values(f, self.path)
            self._values = cached
        return cached

    # -- a mapping, like scipy's OptimizeResult ------------------------------------
    def keys(self) -> list:
        return [fl.name for fl in dataclasses.fields(self)]

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    # -- pickling: values instead of the objective (often a closure) ----------------
    def __getstate__(self):
        state = self.__dict__.copy()
        if state.get("_values") is None and state.get("_f") is not None:
            try:
                state["_values"] = path_values(state["_f"], self.path)
            except Exception:  # an objective that cannot be evaluated again: no values
                state["_values"] = None
        state.pop("_f", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(_equal(getattr(self, k), getattr(other, k)) for k in self.keys())

    __hash__ = None  # mutable, compared by value

    def __repr__(self):
        runs = self.fun.size if isinstance(self.fun, np.ndarray) else 1
        lines = [f"{type(self).__name__}: {self.message}"]
        width = max(len(k) for k in self.keys())
        for k in self.keys():
            if k in ("message", "diverged_at"):
                continue
            v = getattr(self, k)
            if v is None:
                continue
            lines.append(f"{k:>{width}}: {_summary(v, runs)}")
        return "\n".join(lines)


def _summary(v, runs):
    """A one-line description of a field: small arrays in full, large ones summarized."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "US":
            names, counts = np.unique(v, return_counts=True)
            return ", ".join(f"{c} {n}" for n, c in zip(names.tolist(), counts.tolist()))
        if v.size <= 6 and v.ndim <= 2:
            return np.array2string(v, precision=6, separator=", ").replace("\n", "")
        text = f"array of shape {v.shape}"
        if v.dtype.kind in "fiub" and v.size:
            finite = v[np.isfinite(v)] if v.dtype.kind == "f" else v
            if finite.size:
                text += (f", min {finite.min():.6g}, median {np.median(finite):.6g}, "
                         f"max {finite.max():.6g}")
        return text
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return f"{type(v).__name__}(t={getattr(v, 't', '?')}) (pass as state= to continue)"
    return repr(v)


def _equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return (isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator)
                and _equal(a.bit_generator.state, b.bit_generator.state))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    return bool(a == b)


def path_values(f, path, chunk_elems=2_000_000):
    """``f`` on every row of ``path`` ``(m, ..., d)``, in chunks (no path-sized temporaries)."""
    fv = checked_values(f)
    path = np.asarray(path)
    out = np.empty(path.shape[:-1])
    if path.size == 0:
        return out
    rows = max(1, chunk_elems // max(1, path[0].size))
    with np.errstate(all="ignore"):
        for i in range(0, path.shape[0], rows):
            out[i : i + rows] = fv(path[i : i + rows])
    return out


# -- recording and progress, shared by every algorithm ---------------------------------
class Progress(NamedTuple):
    """What a ``callback`` receives after every step.

    Attributes
    ----------
    t : int
        Steps done in this call (``1 .. steps``).
    steps : int
        Steps asked for in this call.
    x : ndarray, shape (..., d)
        The current iterates (for NES and variational: the means).
    fun : ndarray or None
        Their values, where the method knows them without extra evaluations
        (the heuristics); ``None`` in :func:`minimize`.
    state : NamedTuple
        The state to continue from, as in ``Result.state``.
    """

    t: int
    steps: int
    x: np.ndarray
    fun: Optional[np.ndarray]
    state: Any


def check_record(record):
    """``"path"``, ``"last"`` or a positive int ``k``."""
    if isinstance(record, str):
        if record not in ("path", "last"):
            raise ValueError(f"'record' must be 'path', 'last' or an int k >= 1, got {record!r}.")
        return record
    if isinstance(record, bool) or not isinstance(record, (int, np.integer)) or record < 1:
        raise ValueError(f"'record' must be 'path', 'last' or an int k >= 1, got {record!r}.")
    return int(record)


class Recorder:
    """Keeps the iterates ``record`` asks for: every step, every k-th and the last, or the last."""

    def __init__(self, record, steps, t0=0):
        record = check_record(record)
        self.steps, self.t0 = steps, t0
        self.k = 1 if record == "path" else (steps + 1 if record == "last" else record)
        self.last_only = record == "last"
        n = 1 if self.last_only else steps // self.k + 1 + (steps % self.k != 0)
        self.capacity = n
        self.arrays = None
        self.at = []

    def wants(self, i):
        return i == self.steps or (not self.last_only and i % self.k == 0)

    def put(self, i, **arrays):
        if self.arrays is None:
            self.arrays = {k: np.empty((self.capacity,) + np.shape(v)) for k, v in arrays.items()}
        pos = len(self.at)
        for k, v in arrays.items():
            self.arrays[k][pos] = v
        self.at.append(self.t0 + i)

    def put_path(self, i, x):
        """``put(i, path=x)``, the one array :func:`minimize` records, without the dict."""
        if self.arrays is None:
            self.arrays = {"path": np.empty((self.capacity,) + x.shape)}
            self._path = self.arrays["path"]
        self._path[len(self.at)] = x
        self.at.append(self.t0 + i)

    def get(self, name):
        return self.arrays[name][: len(self.at)]

    @property
    def steps_recorded(self):
        return np.asarray(self.at, dtype=int)


def call_back(callback, progress):
    """Call ``callback(progress)``; ``True`` means stop every run."""
    stop = callback(progress)
    if stop is not None and not isinstance(stop, (bool, np.bool_)):
        raise TypeError(
            f"{describe(callback, 'callback')} returned {type(stop).__name__}; it must return "
            "True (stop every run), False or None."
        )
    return bool(stop)


def resume_rng(rng, state):
    """The generator to use: the caller's if given, else a copy of the one in ``state``."""
    if rng is not None:
        return as_rng(rng)
    if state is not None and getattr(state, "rng", None) is not None:
        return copy.deepcopy(state.rng)
    return None


def drive(f, search, steps, record, callback, *, has_values=True):
    """The loop every ask/tell method shares: ``tell(p, f(p))`` for ``p = ask()``.

    Returns the recorder, the steps taken, whether the callback stopped the run,
    and the evaluations spent on the starts.
    """
    fv = checked_values(f)
    steps = count(steps, "steps", minimum=0)
    if callback is not None:
        callable_arg(callback, "callback")
    rec = Recorder(record, steps, search.t)
    start_evals = 0
    stopped = False
    i = 0
    with np.errstate(all="ignore"):
        if not getattr(search, "started", True):
            p = search.ask()
            search.tell(p, fv(p))
            start_evals = 1
        if rec.wants(0):
            rec.put(0, **search._record())
        for i in range(1, steps + 1):
            p = search.ask()
            search.tell(p, fv(p))
            if rec.wants(i):
                rec.put(i, **search._record())
            if callback is not None:
                fun = search.fun if has_values else None
                if call_back(callback, Progress(i, steps, search.x, fun, search.state)):
                    stopped = True
                    if not rec.wants(i):
                        rec.put(i, **search._record())
                    break
    return rec, i, stopped, start_evals


def final_values(fv, x):
    """``f`` at the final iterates; if it fails there, NaN and a note, not a lost run."""
    if x.size == 0:
        return np.zeros(x.shape[:-1]), ""
    try:
        return fv(x), ""
    except Exception as exc:  # the work is done: report, do not lose it
        return (np.full(x.shape[:-1], np.nan),
                f" (f failed at the final iterates, so fun is NaN: {type(exc).__name__}: {exc})")


# -- minimize ----------------------------------------------------------------------------
class MinimizeState(NamedTuple):
    """Where a :func:`minimize` run stands: pass it back as ``state=`` to continue.

    Attributes
    ----------
    t : int
        Steps taken so far (schedules and oracles continue from it).
    x : ndarray, shape (..., d)
        The iterates (a diverged run's last finite one).
    optimizer : NamedTuple
        The optimizer's state (its moments and step count).
    diverged_at : ndarray of int, shape (...)
        The step at which each run diverged, ``-1`` for none.
    rng : numpy.random.Generator or None
        A copy of the generator after the last step (used when ``rng`` is not given).
    """

    t: int
    x: np.ndarray
    optimizer: Any
    diverged_at: np.ndarray
    rng: Optional[np.random.Generator]


def minimize(f: Callable, x0: Any, optimizer: Optimizer, *, steps: int,
             grad: Union[Callable[..., Any], Oracle, None] = None, rng: Any = None,
             max_norm: float = 1e8,
             record: Record = "path", state: Optional[MinimizeState] = None,
             callback: Optional[Callable[[Progress], Any]] = None) -> Result:
    r"""Run ``optimizer`` from every start in ``x0`` for ``steps`` steps.

    .. math::

        g_t = \mathrm{grad}(x_t), \qquad (u_t, s_{t+1}) = \mathrm{update}(g_t, s_t),
        \qquad x_{t+1} = x_t + u_t

    All runs move together as one array; a run that diverges is frozen, marked
    ``"diverged"`` and its path continues as NaN, without RuntimeWarnings.
    ``f(x0)`` is evaluated before the first step, so a bug in ``f`` shows at once.

    Parameters
    ----------
    f : Objective or callable
        The objective, ``f(points) -> values`` for points ``(..., d)`` and values
        ``(...)`` (wrap a function of one point with
        :func:`smoothopt.objectives.pointwise`).
    x0 : array_like, shape (d,) or (..., d)
        Starting points; every leading index is an independent run. With
        ``state``, pass ``res.x`` (or ``None``).
    optimizer : Optimizer
        From :mod:`smoothopt.optimizers`.
    steps : int
        Number of steps, ``>= 0``.
    grad : callable or Oracle, optional
        The gradient: ``grad(x)`` (e.g. ``f.grad``), ``grad(x, rng)`` (a stochastic
        one), or an :class:`~smoothopt.estimators.Oracle` from
        :func:`smoothopt.estimators.oracle` (also given the step index, and
        reporting its cost). It returns shape ``(..., d)``. Default: ``f.grad``.
    rng : numpy.random.Generator or int, optional
        Passed to ``grad`` (required by the stochastic estimators).
    max_norm : float
        A run whose iterate leaves ``|x_i| <= max_norm`` is diverged.
    record : "path", "last" or int
        Which iterates ``path`` keeps: every one (``"path"``), only the final one
        (``"last"``: memory O(runs * d), for long runs) or every k-th and the last.
    state : MinimizeState, optional
        ``res.state`` of an earlier call: continue it (optimizer moments, step
        count for schedules, frozen runs and, unless ``rng`` is given, the random
        stream), so that two calls of 500 steps give exactly one of 1,000.
    callback : callable, optional
        ``callback(progress)`` after every step with a :class:`Progress`
        (``t``, ``steps``, ``x``, ``state``); returning ``True`` stops every run.

    Returns
    -------
    Result

    Examples
    --------
    >>> from smoothopt import objectives, optimizers, minimize
    >>> res = minimize(objectives.get("bowl"), [[1.0, 2.0], [3.0, -1.0]],
    ...                optimizers.sgd(0.25), steps=20)
    >>> res.path.shape, float(abs(res.x).max()) < 1e-5
    ((21, 2, 2), True)
    >>> half = minimize(objectives.get("bowl"), [[1.0, 2.0]], optimizers.adam(0.1), steps=10)
    >>> rest = minimize(objectives.get("bowl"), half.x, optimizers.adam(0.1), steps=10,
    ...                 state=half.state)
    >>> whole = minimize(objectives.get("bowl"), [[1.0, 2.0]], optimizers.adam(0.1), steps=20)
    >>> bool(np.array_equal(rest.x, whole.x))
    True
    """
    callable_arg(f, "f")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "'optimizer' must be a smoothopt.optimizers.Optimizer, e.g. "
            f"optimizers.sgd(lr=0.1); got {type(optimizer).__name__}."
        )
    steps = count(steps, "steps", minimum=0)
    max_norm = positive(max_norm, "max_norm")
    if callback is not None:
        callable_arg(callback, "callback")
    if state is not None and not isinstance(state, MinimizeState):
        raise TypeError(
            "'state' must be the 'state' of a Result from minimize (a MinimizeState), got "
            f"{type(state).__name__}."
        )
    if x0 is None:
        if state is None:
            raise TypeError("'x0' is required (it may be None only with 'state').")
        x0 = state.x
    x = as_points(x0, "x0", getattr(f, "dim", None), finite=state is None)
    if state is not None and x.shape != np.shape(state.x):
        raise ValueError(
            f"'x0' has shape {x.shape} but 'state' is for runs of shape {np.shape(state.x)}."
        )
    oracle, per_fev, per_jev = _oracle(f, grad)
    rng = resume_rng(rng, state)
    fv = checked_values(f)
    rec = Recorder(record, steps, 0 if state is None else state.t)

    batch = x.shape[:-1]
    t0 = 0 if state is None else int(state.t)
    if state is None:
        opt_state = optimizer.init(x)
        diverged_at = np.full(batch, -1)
    else:
        opt_state = state.optimizer
        diverged_at = np.array(state.diverged_at, copy=True)
    alive = None if np.all(diverged_at < 0) else diverged_at < 0  # None: all alive, fast path
    empty = x.size == 0
    with np.errstate(all="ignore"):
        fun = None
        if state is None and not empty:
            fun = fv(x)  # a bug in f shows now, not after the run
        if rec.wants(0):
            rec.put_path(0, x if alive is None else np.where(alive[..., None], x, np.nan))
        every = rec.k if not rec.last_only else steps + 1
        stopped = False
        t = 0
        for t in range(1, steps + 1):
            g = oracle(x, rng, t0 + t - 1)
            u, opt_state = optimizer.update(g, opt_state)
            x_new = x + u
            # Two reductions catch NaN (it propagates through max and min and
            # fails every comparison), inf and explosion; per-run work only if so.
            if (alive is None and (empty or (x_new.max() <= max_norm
                                             and x_new.min() >= -max_norm))):
                x = x_new
                if t % every == 0 or t == steps:
                    rec.put_path(t, x)
            else:
                bad = ~np.all(np.abs(x_new) <= max_norm, axis=-1)
                if alive is None:
                    alive = np.ones(batch, dtype=bool)
                newly = alive & bad
                diverged_at[newly] = t0 + t
                alive = alive & ~bad
                x = np.where(alive[..., None], x_new, x)
                if t % every == 0 or t == steps:
                    rec.put_path(t, np.where(alive[..., None], x, np.nan))
            if callback is not None:
                here = MinimizeState(t0 + t, x, opt_state, diverged_at, rng)
                if call_back(callback, Progress(t, steps, x, None, here)):
                    stopped = True
                    if not rec.wants(t):
                        rec.put_path(t, x if alive is None else np.where(alive[..., None], x, np.nan))
                    break
        failure = ""
        if t > 0 or fun is None:
            fun, failure = final_values(fv, x)
    nit = t
    final = MinimizeState(t0 + nit, x, opt_state, diverged_at.copy(), copy.deepcopy(rng))
    message = f"{nit} steps" + (" (stopped by the callback)" if stopped else "") + failure
    return make_result(f, x, fun, rec.get("path"), diverged_at, nit=nit,
                       nfev=nit * per_fev, njev=nit * per_jev, message=message,
                       reason=f"non-finite or |x| > {max_norm:g}", state=final,
                       path_steps=rec.steps_recorded)


def make_result(f, x, fun, path, diverged_at, *, nfev, njev, message, reason,
                values=None, cls=Result, nit=None, **extra):
    """Assemble a :class:`Result` (or subclass ``cls``) from a batched run.

    Every algorithm of the library reports the same way: a status per run from
    ``diverged_at`` (``-1`` for runs that completed), evaluation counts per run,
    and a one-line message ``"<message> on <runs> runs: <k> completed[, <m>
    diverged (<reason>)]"``.
    """
    batch = x.shape[:-1]
    diverged = diverged_at >= 0
    n_div = int(np.count_nonzero(diverged))
    runs = int(np.prod(batch)) if batch else 1
    text = f"{message} on {runs} run{'s' * (runs != 1)}: {runs - n_div} completed"
    if n_div:
        text += f", {n_div} diverged ({reason})"
    if extra.get("path_steps") is None:
        extra["path_steps"] = np.arange(path.shape[0])
    return cls(
        x=x,
        fun=fun,
        path=path,
        nit=path.shape[0] - 1 if nit is None else nit,
        nfev=np.full(batch, nfev),
        njev=np.full(batch, njev),
        status=np.where(diverged, "diverged", "completed"),
        success=~diverged,
        message=text,
        diverged_at=diverged_at,
        **extra,
    )._with_objective(f, values)


_GRAD_FORMS = (
    "'grad' must be one of: grad(x) -> (..., d) (e.g. f.grad), grad(x, rng) -> (..., d) "
    "(a stochastic gradient), or an Oracle from smoothopt.estimators.oracle(f, method, ...)"
)


def _oracle(f, grad):
    """A callable ``(x, rng, t)`` that checks what it returns, and its cost per call."""
    if grad is None:
        if not getattr(f, "has_grad", hasattr(f, "grad")):
            reason = getattr(f, "_no_grad", None) or "it has no 'grad' method"
            raise ValueError(
                f"'grad' is required: 'f' has no analytic gradient ({reason}). Pass "
                "grad=smoothopt.estimators.oracle(f, 'finite_difference') or a smoothed-gradient "
                "oracle such as oracle(f, 'score_function', sigma=0.3, n=50); any grad(x) or "
                "grad(x, rng) returning shape (..., d) works too."
            )
        fgrad = f.grad
        return _checked(lambda x, rng, t: fgrad(x), fgrad, "grad"), 0, 1
    if isinstance(grad, Oracle):
        return _checked(grad, grad, "grad"), grad.nfev, grad.njev
    if not callable(grad):
        raise TypeError(f"{_GRAD_FORMS}; got {type(grad).__name__}.")
    takes = _arity(grad)
    if takes == 2:
        return _checked(lambda x, rng, t: grad(x, rng), grad, "grad"), 0, 1
    if takes == 1:
        return _checked(lambda x, rng, t: grad(x), grad, "grad"), 0, 1
    raise TypeError(f"{_GRAD_FORMS}; {describe(grad, 'grad')} takes another number of arguments.")


def _arity(fn):
    """2 if ``fn`` can be called as ``fn(x, rng)``, else 1 if as ``fn(x)``, else 0."""
    if isinstance(fn, np.vectorize):
        fn = fn.pyfunc
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature (some builtins): assume grad(x)
        return 1
    for n in (2, 1):
        try:
            sig.bind(*range(n))
            return n
        except TypeError:
            continue
    return 0


def _checked(call, fn, name):
    """Wrap ``call(x, rng, t)`` so that each gradient is checked to have the shape of ``x``."""

    def checked(x, rng, t):
        g = call(x, rng, t)
        if type(g) is np.ndarray and g.shape == x.shape and g.dtype == np.float64:
            return g  # the common case, checked in two comparisons
        return check_grad_output(g, x, fn, name)

    return checked
