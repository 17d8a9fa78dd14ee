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

import math

import numpy as np

from ._checks import as_points, as_rng, callable_arg, count, positive
from .driver import Result, make_result, minimize

__all__ = [
    "random_search",
    "hill_climbing",
    "simulated_annealing",
    "geometric_cooling",
    "logarithmic_cooling",
    "linear_cooling",
    "restarts",
    "best_of",
]


# -- temperature schedules -----------------------------------------------------
def geometric_cooling(T0, rate=0.99, T_min=None):
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


def logarithmic_cooling(T0):
    r"""The logarithmic schedule :math:`T_t = T_0 / \log(t + 2)`.

    The slow cooling under which annealing provably finds a global minimum as
    :math:`t \to \infty` (for :math:`T_0` above the depth of the deepest trap),
    too slow to be of use in a finite budget.

    >>> round(logarithmic_cooling(1.0)(0), 4)
    1.4427
    """
    T0 = positive(T0, "T0")
    return lambda t: T0 / math.log(_step(t) + 2)


def linear_cooling(T0, steps, T_min=1e-3):
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


# -- the shared loop -------------------------------------------------------------
def _values(f, x):
    return np.asarray(f(x), dtype=float)


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


def _local_search(f, x0, steps, step_size, neighbourhood, temperature, rng, max_norm, name):
    """Metropolis local search; ``temperature=None`` is hill climbing."""
    callable_arg(f, "f")
    steps = count(steps, "steps", minimum=0)
    x = as_points(x0, "x0", getattr(f, "dim", None), finite=True)
    rng = as_rng(rng)
    max_norm = positive(max_norm, "max_norm")
    kind, s = _check_neighbourhood(neighbourhood, step_size, x)
    if temperature is not None and not callable(temperature):
        T_const = positive(temperature, "temperature")
        temperature = lambda t: T_const  # noqa: E731

    batch = x.shape[:-1]
    path = np.empty((steps + 1,) + x.shape)
    values = np.empty((steps + 1,) + batch)
    with np.errstate(all="ignore"):
        fx = _values(f, x)
        bad = ~np.isfinite(fx)
        alive = ~bad
        diverged_at = np.where(bad, 0, -1)
        best_x, best_f = x.copy(), fx.copy()
        path[0], values[0] = x, fx
        for t in range(steps):
            if kind is None:
                prop = np.asarray(neighbourhood(x, rng), dtype=float)
                if prop.shape != x.shape:
                    raise ValueError(
                        f"'neighbourhood' returned shape {prop.shape} for points of shape {x.shape}."
                    )
            else:
                prop = x + _neighbour(kind, s, x.shape, rng)
            fp = _values(f, prop)
            delta = fp - fx
            if temperature is None:
                accept = delta <= 0  # sideways moves let the search walk along plateaus
            else:
                T = positive(temperature(t), "temperature")
                # Metropolis: downhill always, uphill with probability exp(-delta / T).
                accept = rng.random(batch) < np.exp(-np.maximum(delta, 0.0) / T)
            # A proposal with a NaN or +inf value is never taken; -inf is a divergence.
            accept &= alive & ~np.isnan(fp) & (fp < np.inf)
            x = np.where(accept[..., None], prop, x)
            fx = np.where(accept, fp, fx)
            newly = alive & (~np.isfinite(fx) | ~np.all(np.abs(x) <= max_norm, axis=-1))
            diverged_at[newly] = t + 1
            alive &= ~newly
            better = alive & (fx < best_f)
            best_x = np.where(better[..., None], x, best_x)
            best_f = np.where(better, fx, best_f)
            path[t + 1] = np.where(alive[..., None], x, np.nan)
            values[t + 1] = np.where(alive, fx, np.nan)
    return _result(f, best_x, best_f, path, values, steps, diverged_at, name)


def _result(f, x, fun, path, values, steps, diverged_at, name):
    return make_result(f, x, fun, path, diverged_at, nfev=steps + 1, njev=0,
                       message=f"{name}: {steps} steps", values=values,
                       reason="non-finite value or |x| too large")


# -- the three heuristics ---------------------------------------------------------
def random_search(f, x0, *, steps, rng, bounds=None):
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

    Returns
    -------
    Result
        ``x`` and ``fun`` are the best point found; ``path`` (and ``values``)
        the best point so far after each draw.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = random_search(objectives.get("bowl"), np.zeros((3, 2)) + 4, steps=50, rng=0)
    >>> res.path.shape, bool(np.all(np.diff(res.values, axis=0) <= 0))
    ((51, 3, 2), True)
    """
    callable_arg(f, "f")
    steps = count(steps, "steps", minimum=0)
    x = as_points(x0, "x0", getattr(f, "dim", None), finite=True)
    rng = as_rng(rng)
    d = x.shape[-1]
    if bounds is None:
        bounds = getattr(f, "bounds", None)
        if bounds is None:
            raise TypeError("'bounds' is required when 'f' has no 'bounds' attribute.")
    b = np.asarray(bounds, dtype=float)
    if b.shape != (d, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 1] > b[:, 0]):
        raise ValueError(
            f"'bounds' must be a finite array of shape ({d}, 2) with low < high in each row, "
            f"got {np.asarray(bounds).tolist()!r}."
        )
    batch = x.shape[:-1]
    with np.errstate(all="ignore"):
        fx = _values(f, x)
        bad = ~np.isfinite(fx)
        fx = np.where(bad, np.inf, fx)  # a NaN start is simply replaced by the first finite draw
        # All draws at once: (steps, ..., d), then the running best.
        y = b[:, 0] + (b[:, 1] - b[:, 0]) * rng.random((steps,) + x.shape)
        fy = _values(f, y)
        fy = np.where(np.isnan(fy), np.inf, fy)
        allx = np.concatenate([x[None], y])
        allf = np.concatenate([fx[None], fy])
        # Index of the best so far (first occurrence of the running minimum).
        run_min = np.minimum.accumulate(allf, axis=0)
        is_new = np.concatenate([np.ones((1,) + batch, bool), allf[1:] < run_min[:-1]])
        idx = np.where(is_new, np.arange(steps + 1).reshape((-1,) + (1,) * len(batch)), 0)
        idx = np.maximum.accumulate(idx, axis=0)
        path = np.take_along_axis(allx, idx[..., None], axis=0)
        values = run_min
    diverged_at = np.where(~np.isfinite(values[-1]), steps, -1)
    return _result(f, path[-1].copy(), values[-1].copy(), path, values, steps, diverged_at,
                   "random_search")


def hill_climbing(f, x0, *, steps, step_size, rng, neighbourhood="gaussian", max_norm=1e8):
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

    Returns
    -------
    Result
        ``path`` holds the iterates (NaN after a divergence).

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = hill_climbing(objectives.get("bowl"), [2.0, 2.0], steps=200, step_size=0.2, rng=1)
    >>> bool(res.fun < res.values[0])
    True
    """
    return _local_search(f, x0, steps, step_size, neighbourhood, None, rng, max_norm,
                         "hill_climbing")


def simulated_annealing(f, x0, *, steps, step_size, temperature, rng,
                        neighbourhood="gaussian", max_norm=1e8):
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

    Returns
    -------
    Result
        ``x`` and ``fun`` are the best point visited; ``path`` (and ``values``)
        the current iterate, which may go uphill.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = simulated_annealing(objectives.get("bowl"), np.full((50, 2), 3.0), steps=400,
    ...                           step_size=0.3, temperature=geometric_cooling(1.0, 0.98), rng=0)
    >>> bool(np.all(res.fun <= res.values.min(axis=0)))
    True
    """
    if temperature is None:
        raise TypeError("'temperature' is required: a number or a schedule t -> T_t.")
    return _local_search(f, x0, steps, step_size, neighbourhood, temperature, rng, max_norm,
                         "simulated_annealing")


# -- restarts ----------------------------------------------------------------------
def best_of(result, f=None):
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
    fun = np.where(result.success & np.isfinite(result.fun), result.fun, np.inf)
    k = np.argmin(fun, axis=-1)  # (...)
    pick = lambda a: np.take_along_axis(a, k[..., None], axis=-1)[..., 0]  # noqa: E731
    x = np.take_along_axis(result.x, k[..., None, None], axis=-2)[..., 0, :]
    kp = np.broadcast_to(k[None, ..., None, None], (result.path.shape[0],) + k.shape + (1, x.shape[-1]))
    path = np.take_along_axis(result.path, kp, axis=-2)[..., 0, :]
    status = np.where(np.isfinite(np.min(fun, axis=-1)), "completed", "diverged")
    runs, restarts_ = int(np.prod(k.shape)) if k.shape else 1, result.x.shape[-2]
    n_ok = int(np.count_nonzero(status == "completed"))
    return Result(
        x=x,
        fun=pick(result.fun),
        path=path,
        nit=result.nit,
        nfev=np.sum(result.nfev, axis=-1),
        njev=np.sum(result.njev, axis=-1),
        status=status,
        success=status == "completed",
        message=f"best of {restarts_} restarts on {runs} run{'s' * (runs != 1)}: "
        f"{n_ok} with a finite best",
        diverged_at=np.where(status == "diverged", result.nit, -1),
    )._with_objective(f if f is not None else result._f)


def restarts(f, x0, optimizer, *, steps, grad=None, rng=None, max_norm=1e8):
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
    grad, rng, max_norm
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
    res = minimize(f, x0, optimizer, steps=steps, grad=grad, rng=rng, max_norm=max_norm)
    return best_of(res, f)
