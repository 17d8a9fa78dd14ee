r"""Zeroth-order heuristics and random restarts, batched over runs.

These methods need nothing but values of ``f``: no gradient, no smoothing.

* :func:`random_search` draws points uniformly in a box and keeps the best;
* :func:`hill_climbing` proposes a random neighbour and moves only downhill
  (or sideways);
* :func:`simulated_annealing` also accepts an uphill move with the Metropolis
  probability :math:`e^{-\Delta f / T_t}` under a falling temperature
  :math:`T_t` (:func:`geometric_cooling`, :func:`logarithmic_cooling`,
  :func:`linear_cooling`);
* :func:`restarts` runs :func:`smoothopt.minimize` from many starts per run
  and keeps the best, and :func:`best_of` does the same for any
  :class:`~smoothopt.Result` with a restart axis.

Every function takes starts ``x0`` of shape ``(..., d)`` (every leading index
an independent run with its own random numbers), an explicit ``rng``, and
returns a :class:`~smoothopt.Result` whose ``nfev`` counts the objective
evaluations each run really spent. None of these methods comes with a
guarantee of finding the global minimum in a finite budget.

>>> import numpy as np
>>> from smoothopt import objectives, heuristics
>>> f = objectives.get("bowl")
>>> res = heuristics.hill_climbing(f, np.full((100, 2), 3.0), steps=300, step_size=0.3, rng=0)
>>> res.x.shape, int(res.nfev[0]), bool(np.all(res.fun < 0.05))
((100, 2), 301, True)
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Callable, NamedTuple, Optional

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_points, as_rng, callable_arg, count, describe, positive, schedule_value
from .optimizers import Optimizer
from .driver import Result, drive as _drive, make_result, minimize, resume_rng

__all__ = [
    "random_search",
    "hill_climbing",
    "simulated_annealing",
    "geometric_cooling",
    "logarithmic_cooling",
    "linear_cooling",
    "restarts",
    "best_of",
    "HillClimbing",
    "SimulatedAnnealing",
    "RandomSearch",
    "LocalSearchState",
    "RandomSearchState",
]


# -- temperature schedules -----------------------------------------------------
def geometric_cooling(T0: float, rate: float = 0.99, T_min: float | None = None) -> Callable[[float], float]:
    r"""The geometric schedule :math:`T_t = \max(T_{\min}, T_0\, r^t)` (the usual choice in practice).

    :math:`r^t` underflows to 0 for large ``t`` (at ``t = 74,141`` for ``r = 0.99``);
    the floor ``T_min`` (default: the smallest normal float, ``2.2e-308``) keeps
    the temperature positive, so a long run ends as hill climbing instead of failing.

    >>> geometric_cooling(1.0, 0.5)(2)
    0.25
    >>> geometric_cooling(1.0, 0.99)(100_000) > 0
    True
    """
    T0 = positive(T0, "T0")
    rate = positive(rate, "rate")
    if rate >= 1:
        raise ValueError(f"'rate' must lie in (0, 1) for a falling temperature, got {rate!r}.")
    T_min = _TINY if T_min is None else positive(T_min, "T_min")

    def schedule(t):
        return max(T_min, T0 * rate ** _step(t))

    return schedule


def logarithmic_cooling(T0: float) -> Callable[[float], float]:
    r"""The logarithmic schedule :math:`T_t = T_0 / \log(t + 2)`.

    The slow cooling under which annealing provably finds a global minimum as
    :math:`t \to \infty` (for :math:`T_0` above the depth of the deepest trap),
    too slow to be of use in a finite budget.

    >>> round(logarithmic_cooling(1.0)(0), 4)
    1.4427
    """
    T0 = positive(T0, "T0")
    return lambda t: T0 / math.log(_step(t) + 2)


def linear_cooling(T0: float, steps: int, T_min: float = 1e-3) -> Callable[[float], float]:
    r"""The linear schedule :math:`T_t = \max(T_{\min}, T_0 (1 - t/\text{steps}))`.

    >>> linear_cooling(2.0, 100)(50)
    1.0
    """
    T0 = positive(T0, "T0")
    steps = count(steps, "steps")
    T_min = positive(T_min, "T_min")
    return lambda t: max(T_min, T0 * (1 - _step(t) / steps))


_TINY = float(np.finfo(float).tiny)


def _step(t):
    if isinstance(t, bool) or not isinstance(t, (int, np.integer, float)) or not t >= 0:
        raise ValueError(f"the step index 't' of a cooling schedule must be a number >= 0, got {t!r}.")
    return t


# -- ask/tell: one implementation behind the batched functions --------------------------
def _neighbour(neighbourhood, step_size, shape, rng):
    """A random displacement of shape ``shape`` from the named neighbourhood."""
    if neighbourhood == "gaussian":
        return step_size * rng.standard_normal(shape)
    return step_size * rng.uniform(-1.0, 1.0, shape)


def _check_neighbourhood(neighbourhood, step_size, x):
    if callable(neighbourhood):
        return None, None
    if neighbourhood not in ("gaussian", "uniform"):
        raise ValueError(
            "'neighbourhood' must be 'gaussian', 'uniform' or a callable "
            f"neighbour(x, rng) -> x_new, got {neighbourhood!r}."
        )
    s = np.asarray(positive(step_size, "step_size", allow_array=True), dtype=float)
    try:
        np.broadcast_shapes(s.shape, x.shape)
    except ValueError:
        raise ValueError(
            f"'step_size' of shape {s.shape} does not broadcast with 'x0' of shape {x.shape}; "
            "pass a number or one size per coordinate."
        ) from None
    return neighbourhood, s


def _told_values(values, shape, who="values"):
    """The values given to ``tell``, as a float array of the expected shape."""
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"'{who}' must be an array of numbers of shape {shape}.") from None
    if v.shape != shape:
        raise ValueError(
            f"'{who}' has shape {v.shape}; tell() needs one value per point asked, shape {shape}."
        )
    return v


class LocalSearchState(NamedTuple):
    """Where a hill climbing or annealing run stands (``Result.state``; pass back as ``state=``)."""

    t: int  # proposals told so far
    x: np.ndarray  # the current iterates, (..., d)
    fun: np.ndarray  # their values, (...)
    x_best: np.ndarray
    fun_best: np.ndarray
    diverged_at: np.ndarray
    rng: Optional[np.random.Generator]


class HillClimbing:
    r"""Hill climbing as an ask/tell object, for an objective the library cannot call itself.

    ``ask()`` returns the points to evaluate (first the starts ``x0``, then one
    proposal per run, shape ``(..., d)``); ``tell(points, values)`` takes their
    values (shape ``(...)``) and moves. :func:`hill_climbing` is this loop with
    ``values = f(points)``, so with the same ``rng`` both give the same runs.

    Parameters
    ----------
    x0 : array_like, shape (d,) or (..., d)
    step_size, neighbourhood, max_norm
        As for :func:`hill_climbing`.
    rng : numpy.random.Generator or int
    state : LocalSearchState, optional
        ``res.state`` of an earlier run, to continue it (then ``x0`` may be ``None``).

    Examples
    --------
    >>> opt = HillClimbing([2.0, 2.0], step_size=0.3, rng=0)
    >>> for _ in range(101):
    ...     x = opt.ask()
    ...     opt.tell(x, float(x @ x))          # any code that scores one point
    >>> bool(opt.fun < 0.5), opt.t
    (True, 100)
    """

    _temperature = None
    _name = "hill_climbing"

    def __init__(self, x0: ArrayLike | None, *, step_size: ArrayLike, rng: Seed | None = None,
                 neighbourhood: str | Fn = "gaussian", max_norm: float = 1e8,
                 state: LocalSearchState | None = None, dim: int | None = None) -> None:
        if state is not None and not isinstance(state, LocalSearchState):
            raise TypeError(f"'state' must be a LocalSearchState (res.state), got {type(state).__name__}.")
        if x0 is None and state is not None:
            x0 = state.x
        x = as_points(x0, "x0", dim, finite=state is None)
        self._rng = resume_rng(rng, state)
        if self._rng is None:
            as_rng(None)  # raises: 'rng' is required
        self.max_norm = positive(max_norm, "max_norm")
        self._kind, self._s = _check_neighbourhood(neighbourhood, step_size, x)
        self._neighbourhood = neighbourhood
        self.batch = x.shape[:-1]
        self.x = x
        self._asked = None
        if state is None:
            self.t, self.started = 0, False
            self.fun = np.full(self.batch, np.nan)
            self.x_best, self.fun_best = x.copy(), self.fun.copy()
            self.diverged_at = np.full(self.batch, -1)
            self._alive = np.ones(self.batch, dtype=bool)
        else:
            if np.shape(state.x) != x.shape:
                raise ValueError(f"'x0' has shape {x.shape} but 'state' is for shape {np.shape(state.x)}.")
            self.t, self.started = int(state.t), True
            self.fun = np.array(state.fun, dtype=float)
            self.x_best, self.fun_best = np.array(state.x_best), np.array(state.fun_best)
            self.diverged_at = np.array(state.diverged_at)
            self._alive = self.diverged_at < 0

    @property
    def alive(self):
        return self._alive

    @property
    def state(self) -> LocalSearchState:
        return LocalSearchState(self.t, self.x.copy(), self.fun.copy(), self.x_best.copy(),
                                self.fun_best.copy(), self.diverged_at.copy(),
                                copy.deepcopy(self._rng))

    def ask(self) -> Array:
        """The points to evaluate next, shape ``(..., d)``: the starts first, then proposals."""
        if not self.started:
            prop = self.x.copy()
        elif self._kind is None:
            with np.errstate(all="ignore"):
                prop = np.asarray(self._neighbourhood(self.x, self._rng), dtype=float)
            if prop.shape != self.x.shape:
                raise ValueError(
                    f"{describe(self._neighbourhood, 'neighbourhood')} returned shape {prop.shape} "
                    f"for points of shape {self.x.shape}; it must return one neighbour per point."
                )
        else:
            prop = self.x + _neighbour(self._kind, self._s, self.x.shape, self._rng)
        self._asked = prop
        return prop

    def tell(self, points: ArrayLike, values: ArrayLike) -> None:
        """Take the values at ``points`` (those from the last :meth:`ask`) and move."""
        if self._asked is None:
            raise RuntimeError("tell() must follow ask(): call ask() for the points first.")
        prop = self._asked if points is self._asked else as_points(points, "points")
        if prop.shape != self.x.shape:
            raise ValueError(f"'points' has shape {prop.shape}; ask() gave {self.x.shape}.")
        fp = _told_values(values, self.batch)
        self._asked = None
        with np.errstate(all="ignore"):
            if not self.started:
                self.started = True
                self.x, self.fun = prop.copy(), fp.copy()
                bad = ~np.isfinite(fp)
                self.diverged_at = np.where(bad, 0, -1)
                self._alive = ~bad
                self.x_best, self.fun_best = self.x.copy(), self.fun.copy()
                return
            alive = self._alive
            delta = fp - self.fun
            if self._temperature is None:
                accept = delta <= 0  # sideways moves let the search walk along plateaus
            else:
                T = self._temperature(self.t)
                # Metropolis: downhill always, uphill with probability exp(-delta / T)
                # (T = 0, which a schedule may reach, is hill climbing).
                u = self._rng.random(self.batch)
                accept = (delta <= 0) | (u < np.exp(-delta / T))
            # A proposal with a NaN or +inf value is never taken; -inf, or a step beyond
            # max_norm, is a divergence: the run stops at its last good point.
            accept &= alive & ~np.isnan(fp) & (fp < np.inf)
            self.t += 1
            newly = accept & ((fp == -np.inf) | ~np.all(np.abs(prop) <= self.max_norm, axis=-1))
            if newly.any():
                self.diverged_at[newly] = self.t
                self._alive = alive & ~newly
                accept &= ~newly
            self.x = np.where(accept[..., None], prop, self.x)
            self.fun = np.where(accept, fp, self.fun)
            better = accept & (self.fun < self.fun_best)
            self.x_best = np.where(better[..., None], self.x, self.x_best)
            self.fun_best = np.where(better, self.fun, self.fun_best)

    def _record(self):
        alive = self._alive
        if alive.all():
            return {"path": self.x, "values": self.fun}
        return {"path": np.where(alive[..., None], self.x, np.nan),
                "values": np.where(alive, self.fun, np.nan)}


class SimulatedAnnealing(HillClimbing):
    r"""Simulated annealing as an ask/tell object (see :class:`HillClimbing` and
    :func:`simulated_annealing`, which is this loop).

    Parameters
    ----------
    x0 : array_like, shape (d,) or (..., d)
    step_size, temperature, neighbourhood, max_norm
        As for :func:`simulated_annealing`.
    rng : numpy.random.Generator or int
    state : LocalSearchState, optional

    Examples
    --------
    >>> opt = SimulatedAnnealing([2.0, 2.0], step_size=0.3, temperature=geometric_cooling(1.0, 0.95),
    ...                          rng=0)
    >>> for _ in range(201):
    ...     x = opt.ask()
    ...     opt.tell(x, float(x @ x))
    >>> bool(opt.fun_best < 0.5)
    True
    """

    _name = "simulated_annealing"

    def __init__(self, x0: ArrayLike | None, *, step_size: ArrayLike, temperature: Schedule,
                 rng: Seed | None = None, neighbourhood: str | Fn = "gaussian",
                 max_norm: float = 1e8, state: LocalSearchState | None = None,
                 dim: int | None = None) -> None:
        super().__init__(x0, step_size=step_size, rng=rng, neighbourhood=neighbourhood,
                         max_norm=max_norm, state=state, dim=dim)
        if temperature is None:
            raise TypeError("'temperature' is required: a number or a schedule t -> T_t.")
        if callable(temperature):
            schedule = temperature
            self._temperature = lambda t: schedule_value(schedule, t, "temperature")
            schedule_value(schedule, self.t, "temperature")  # a bad schedule fails now, not later
        else:
            T_const = positive(temperature, "temperature")
            self._temperature = lambda t: T_const


class RandomSearchState(NamedTuple):
    """Where a random search stands (``Result.state``)."""

    t: int
    x: np.ndarray  # the best point so far
    fun: np.ndarray
    rng: Optional[np.random.Generator]


class RandomSearch:
    """Random search as an ask/tell object (see :func:`random_search`, which is this loop).

    ``ask()`` returns the starts first, then one uniform draw in ``bounds`` per
    run; ``tell(points, values)`` keeps each run's best.
    """

    _name = "random_search"

    def __init__(self, x0: ArrayLike | None, *, bounds: ArrayLike, rng: Seed | None = None,
                 state: RandomSearchState | None = None, dim: int | None = None) -> None:
        if x0 is None and state is not None:
            x0 = state.x
        x = as_points(x0, "x0", dim, finite=state is None)
        self._rng = resume_rng(rng, state)
        if self._rng is None:
            as_rng(None)
        d = x.shape[-1]
        b = np.asarray(bounds, dtype=float) if bounds is not None else None
        if b is None or b.shape != (d, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 1] > b[:, 0]):
            raise ValueError(
                f"'bounds' must be a finite array of shape ({d}, 2) with low < high in each row, "
                f"got {None if bounds is None else np.asarray(bounds).tolist()!r}."
            )
        self.bounds, self.batch, self.x = b, x.shape[:-1], x
        self._asked = None
        if state is None:
            self.t, self.started, self.fun = 0, False, np.full(self.batch, np.inf)
        else:
            self.t, self.started, self.fun = int(state.t), True, np.array(state.fun)

    x_best = property(lambda self: self.x)
    fun_best = property(lambda self: self.fun)

    @property
    def diverged_at(self):
        return np.where(np.isfinite(self.fun), -1, self.t)

    @property
    def state(self) -> RandomSearchState:
        return RandomSearchState(self.t, self.x.copy(), self.fun.copy(), copy.deepcopy(self._rng))

    def ask(self) -> Array:
        if not self.started:
            self._asked = self.x.copy()
        else:
            b = self.bounds
            self._asked = b[:, 0] + (b[:, 1] - b[:, 0]) * self._rng.random(self.x.shape)
        return self._asked

    def tell(self, points: ArrayLike, values: ArrayLike) -> None:
        if self._asked is None:
            raise RuntimeError("tell() must follow ask(): call ask() for the points first.")
        y = self._asked if points is self._asked else as_points(points, "points")
        fy = _told_values(values, self.batch)
        self._asked = None
        fy = np.where(np.isnan(fy), np.inf, fy)  # a NaN is never the best
        if not self.started:
            self.started, self.x, self.fun = True, y.copy(), fy
            return
        self.t += 1
        better = fy < self.fun
        self.x = np.where(better[..., None], y, self.x)
        self.fun = np.where(better, fy, self.fun)

    def _record(self):
        return {"path": self.x, "values": self.fun}


def _result(f, search, rec, nit, stopped, start_evals, name):
    message = f"{name}: {nit} steps" + (" (stopped by the callback)" if stopped else "")
    return make_result(f, search.x.copy(), np.array(search.fun, dtype=float), rec.get("path"),
                       np.array(search.diverged_at), nfev=nit + start_evals, njev=0,
                       message=message, values=rec.get("values"), nit=nit,
                       reason="non-finite value or |x| too large", x_best=search.x_best.copy(),
                       fun_best=np.array(search.fun_best, dtype=float), state=search.state,
                       path_steps=rec.steps_recorded)


# -- the three heuristics ---------------------------------------------------------
def random_search(f: Fn, x0: ArrayLike, *, steps: int, rng: Seed | None,
                  bounds: ArrayLike | None = None, record: str | int = "path",
                  state: RandomSearchState | None = None, callback: Fn | None = None) -> Result:
    r"""Pure random search: draw points uniformly in a box, keep the best.

    .. math::

        y_t \sim \mathcal{U}(\text{bounds}), \qquad
        x_{t+1} = \begin{cases} y_t & f(y_t) < f(x_t) \\ x_t & \text{otherwise} \end{cases}

    It ignores everything it has learnt, so it cannot be fooled by a trap, and
    its chance of landing within :math:`r` of the minimizer in ``steps`` draws,
    :math:`1 - (1 - p_r)^{\text{steps}}` with :math:`p_r \propto r^d`, collapses
    with the dimension.

    Parameters
    ----------
    f : Objective or callable
    x0 : array_like, shape (d,) or (..., d)
        The first candidate of each run (it fixes the batch shape).
    steps : int
        Draws after ``x0``; each run costs ``steps + 1`` evaluations.
    rng : numpy.random.Generator or int
    bounds : array_like, shape (d, 2), optional
        The box to draw from; default ``f.bounds``.
    record, state, callback
        As for :func:`smoothopt.minimize` (the callback's ``fun`` is the best value so far).

    Returns
    -------
    Result
        The iterate of random search is the best point so far: ``x`` and ``fun``
        (equal to ``x_best`` and ``fun_best``) are the best point found; ``path``
        (and ``values``) the best point so far after each draw.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = random_search(objectives.get("bowl"), np.zeros((3, 2)) + 4, steps=50, rng=0)
    >>> res.path.shape, bool(np.all(np.diff(res.values, axis=0) <= 0))
    ((51, 3, 2), True)
    """
    callable_arg(f, "f")
    if bounds is None:
        bounds = getattr(f, "bounds", None)
        if bounds is None:
            raise TypeError("'bounds' is required when 'f' has no 'bounds' attribute.")
    search = RandomSearch(x0, bounds=bounds, rng=rng, state=state, dim=getattr(f, "dim", None))
    rec, nit, stopped, start = _drive(f, search, steps, record, callback)
    return _result(f, search, rec, nit, stopped, start, "random_search")


def hill_climbing(f: Fn, x0: ArrayLike, *, steps: int, step_size: ArrayLike, rng: Seed | None,
                  neighbourhood: str | Fn = "gaussian", max_norm: float = 1e8,
                  record: str | int = "path", state: LocalSearchState | None = None,
                  callback: Fn | None = None) -> Result:
    r"""Stochastic hill climbing ("descending" here): move to a random neighbour if it is no worse.

    .. math::

        y_t = x_t + s\,\xi_t, \qquad
        x_{t+1} = \begin{cases} y_t & f(y_t) \le f(x_t) \\ x_t & \text{otherwise} \end{cases}

    with :math:`\xi_t \sim \mathcal{N}(0, I)` (``"gaussian"``) or
    :math:`\mathcal{U}[-1, 1]^d` (``"uniform"``). Sideways moves are accepted so
    a run can wander across a plateau. It stops improving once no neighbour
    within reach of ``step_size`` is lower: a local minimum at that scale.

    Parameters
    ----------
    f : Objective or callable
    x0 : array_like, shape (d,) or (..., d)
    steps : int
        Proposals; each run costs ``steps + 1`` evaluations.
    step_size : float or array_like
        The neighbourhood size :math:`s` (one per coordinate if an array).
    rng : numpy.random.Generator or int
    neighbourhood : {"gaussian", "uniform"} or callable
        Or ``neighbour(x, rng) -> x_new`` for any batch of points.
    max_norm : float
        A run whose iterate leaves ``|x_i| <= max_norm`` is diverged.
    record, state, callback
        As for :func:`smoothopt.minimize` (the callback also gets ``fun``).

    Returns
    -------
    Result
        ``x`` and ``fun`` are the final iterate; ``x_best`` and ``fun_best`` the
        best point visited (the same value: hill climbing never goes up);
        ``path`` holds the iterates (NaN after a divergence). :class:`HillClimbing`
        is the same method as an ask/tell object.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = hill_climbing(objectives.get("bowl"), [2.0, 2.0], steps=200, step_size=0.2, rng=1)
    >>> bool(res.fun < res.values[0])
    True
    """
    callable_arg(f, "f")
    search = HillClimbing(x0, step_size=step_size, rng=rng, neighbourhood=neighbourhood,
                          max_norm=max_norm, state=state, dim=getattr(f, "dim", None))
    rec, nit, stopped, start = _drive(f, search, steps, record, callback)
    return _result(f, search, rec, nit, stopped, start, "hill_climbing")


def simulated_annealing(f: Fn, x0: ArrayLike, *, steps: int, step_size: ArrayLike,
                        temperature: Schedule, rng: Seed | None,
                        neighbourhood: str | Fn = "gaussian", max_norm: float = 1e8,
                        record: str | int = "path", state: LocalSearchState | None = None,
                        callback: Fn | None = None) -> Result:
    r"""Simulated annealing (Kirkpatrick et al., 1983): Metropolis moves under a falling temperature.

    .. math::

        y_t = x_t + s\,\xi_t, \qquad
        P(x_{t+1} = y_t) = \min\left(1,\ e^{-(f(y_t) - f(x_t)) / T_t}\right)

    An uphill move of height :math:`\Delta` is taken with probability
    :math:`e^{-\Delta/T_t}`, so early (hot) steps cross barriers and late
    (cold) steps descend like :func:`hill_climbing`. The result depends on the
    schedule and the neighbourhood as much as on ``f``; with a finite budget
    there is no guarantee.

    Parameters
    ----------
    f : Objective or callable
    x0 : array_like, shape (d,) or (..., d)
    steps : int
        Proposals; each run costs ``steps + 1`` evaluations.
    step_size : float or array_like
        The neighbourhood size :math:`s`.
    temperature : float or callable
        A constant :math:`T` or a schedule ``t -> T_t`` such as
        :func:`geometric_cooling`.
    rng : numpy.random.Generator or int
    neighbourhood : {"gaussian", "uniform"} or callable
    max_norm : float
    record, state, callback
        As for :func:`smoothopt.minimize` (the callback also gets ``fun``).

    Returns
    -------
    Result
        ``x`` and ``fun`` are the final iterate, which may have gone uphill;
        ``x_best`` and ``fun_best`` the best point visited; ``path`` (and
        ``values``) the iterates. :class:`SimulatedAnnealing` is the same method
        as an ask/tell object.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = simulated_annealing(objectives.get("bowl"), np.full((50, 2), 3.0), steps=400,
    ...                           step_size=0.3, temperature=geometric_cooling(1.0, 0.98), rng=0)
    >>> bool(np.all(res.fun_best <= res.values.min(axis=0)))
    True
    """
    callable_arg(f, "f")
    if temperature is None:
        raise TypeError("'temperature' is required: a number or a schedule t -> T_t.")
    search = SimulatedAnnealing(x0, step_size=step_size, temperature=temperature, rng=rng,
                                neighbourhood=neighbourhood, max_norm=max_norm, state=state,
                                dim=getattr(f, "dim", None))
    rec, nit, stopped, start = _drive(f, search, steps, record, callback)
    return _result(f, search, rec, nit, stopped, start, "simulated_annealing")


# -- restarts ----------------------------------------------------------------------
def best_of(result: Result, f: Fn | None = None) -> Result:
    r"""Reduce a :class:`~smoothopt.Result` over its restart axis (the last batch axis).

    For a result on starts of shape ``(..., k, d)`` (``k`` restarts per run),
    return one of shape ``(..., d)``: each run's best restart by ``fun`` (a
    diverged restart never wins), its path, and the evaluations of *all* ``k``
    restarts in ``nfev`` and ``njev``.

    Parameters
    ----------
    result : Result
        With at least one batch axis.
    f : callable, optional
        The objective (default: the one the result was made with).

    Returns
    -------
    Result
    """
    if not isinstance(result, Result):
        raise TypeError(f"'result' must be a smoothopt.Result, got {type(result).__name__}.")
    if result.x.ndim < 2:
        raise ValueError(
            "'result' has no restart axis: it must come from starts of shape (..., k, d)."
        )
    # A method that tracks its best point is judged by it; the others by the final iterate.
    score = result.fun if result.fun_best is None else result.fun_best
    fun = np.where(result.success & np.isfinite(score), score, np.inf)
    k = np.argmin(fun, axis=-1)  # (...)
    nb = k.ndim + 1  # batch dimensions of the result, restart axis last

    def pick(a, lead=0):
        """Entry ``k`` of the restart axis of ``a`` (``lead`` leading axes, e.g. steps)."""
        if a is None:
            return None
        a = np.asarray(a)
        tail = a.ndim - lead - nb
        idx = k.reshape((1,) * lead + k.shape + (1,) + (1,) * tail)
        idx = np.broadcast_to(idx, a.shape[: lead + nb - 1] + (1,) + a.shape[lead + nb:])
        return np.take_along_axis(a, idx, axis=lead + nb - 1).squeeze(lead + nb - 1)

    status = np.where(np.isfinite(np.min(fun, axis=-1)), "completed", "diverged")
    runs, restarts_ = int(np.prod(k.shape)) if k.shape else 1, result.x.shape[-2]
    n_ok = int(np.count_nonzero(status == "completed"))
    extra = {}
    for fl in dataclasses.fields(result):
        if fl.name in ("sigma",):
            extra[fl.name] = pick(result.sigma)
        elif fl.name == "sigma_path":
            extra[fl.name] = pick(result.sigma_path, lead=1)
        elif fl.name == "covariance":
            extra[fl.name] = result.covariance
    values = getattr(result, "_values", None)
    return type(result)(
        x=pick(result.x),
        fun=pick(result.fun),
        path=pick(result.path, lead=1),
        nit=result.nit,
        nfev=np.sum(result.nfev, axis=-1),
        njev=np.sum(result.njev, axis=-1),
        status=status,
        success=status == "completed",
        message=f"best of {restarts_} restarts on {runs} run{'s' * (runs != 1)}: "
        f"{n_ok} with a finite best",
        diverged_at=np.where(status == "diverged", result.nit, -1),
        x_best=pick(result.x_best),
        fun_best=pick(result.fun_best),
        path_steps=result.path_steps,
        **extra,
    )._with_objective(f if f is not None else getattr(result, "_f", None),
                      None if values is None else pick(values, lead=1))


def restarts(f: Fn, x0: ArrayLike, optimizer: Optimizer, *, steps: int, grad: Fn | None = None,
             rng: Seed | None = None, max_norm: float = 1e8, record: str | int = "path",
             callback: Fn | None = None) -> Result:
    r"""Random restarts: run :func:`smoothopt.minimize` from ``k`` starts per run, keep the best.

    .. math::

        x^\star = \operatorname*{arg\,min}_{j = 1..k} f\big(x^{(j)}_{\text{steps}}\big)

    All ``runs * k`` descents move together as one batch. If one descent
    reaches the global basin with probability :math:`p`, the best of :math:`k`
    independent ones does with probability :math:`1 - (1 - p)^k`.

    Parameters
    ----------
    f : Objective or callable
    x0 : array_like, shape (..., k, d)
        ``k`` random starts for each run (draw them yourself, e.g.
        ``rng.normal(0, 2, (runs, k, d))``).
    optimizer : Optimizer
    steps : int
        Steps of each descent; a run costs ``k`` times one descent.
    grad, rng, max_norm, record, callback
        As for :func:`smoothopt.minimize`.

    Returns
    -------
    Result
        Shape ``(..., d)``: the best restart of each run, with the cost of all.

    Examples
    --------
    >>> from smoothopt import objectives, optimizers
    >>> starts = np.random.default_rng(0).normal(0, 2, (10, 5, 1))
    >>> res = restarts(objectives.get("quartic"), starts, optimizers.sgd(0.005), steps=300)
    >>> res.x.shape, int(res.njev[0])
    ((10, 1), 1500)
    """
    x0 = as_points(x0, "x0", getattr(f, "dim", None), finite=True)
    if x0.ndim < 2:
        raise ValueError(
            f"'x0' must have shape (..., k, d) with k restarts per run, got shape {x0.shape}."
        )
    res = minimize(f, x0, optimizer, steps=steps, grad=grad, rng=rng, max_norm=max_norm,
                   record=record, callback=callback)
    return best_of(res, f)
