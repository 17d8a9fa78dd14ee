r"""The book's recommendation for a bad objective, in one call: :func:`solve`.

:func:`solve` is xNES (:func:`smoothopt.variational.nes`, Wierstra et al., 2014) with four
additions that the benchmark chapter motivates and ablates one at a time:

1. **restarts** from fresh uniform points of the box whenever a search has converged or stalled,
   until the budget is spent;
2. **a population that doubles at every restart** (IPOP, Auger & Hansen, 2005): a large population
   averages over more of the landscape, so it sees the global trend under many local minima;
3. **rank-based utilities with tied values sharing their weight** (:func:`~smoothopt.variational.utilities`):
   the search ignores the scale of ``f``, so a terrace, a floor or a huge outlier does no harm;
4. **a search width kept from collapsing on a plateau**: when the best quarter of the population
   ties, the samples carry no information on which way is down, and the width grows instead of
   shrinking; a search that stays on a plateau for three generations is restarted.

Two smaller choices make it faster: mirrored samples :math:`\pm z` (Brockhoff et al., 2010), and
a learning rate for the overall scale of its own, larger than xNES's rate for the shape.

>>> import numpy as np
>>> from smoothopt import objectives, solve
>>> f = objectives.get("ackley", dim=2)
>>> res = solve(f, f.bounds, budget=2000, rng=0)
>>> int(res.nfev) <= 2000, bool(res.fun_best < 1e-6), res.best_so_far.shape == (int(res.nfev),)
(True, True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import as_rng, callable_arg, count, positive
from .driver import Result, make_result
from .variational import utilities

__all__ = ["solve", "SolveResult"]



@dataclass
class SolveResult(Result):
    """A :class:`~smoothopt.Result` of :func:`solve` (one run, so every field is unbatched).

    ``x`` and ``fun`` are the best point evaluated and its value (also as ``x_best`` and
    ``fun_best``); ``path`` is the search distribution's mean after every generation, across
    restarts.

    Attributes
    ----------
    best_so_far : ndarray
        Of length ``nfev``: the lowest value among the first ``k + 1`` evaluations, for
        ``k = 0 .. nfev - 1``.
    restarts : int
        Searches started (the first one included).
    populations : list of int
        The population of each search.
    stops : list of str
        Why each search ended: ``"flat"``, ``"collapsed"``, ``"stalled"``, ``"worse"`` (contracted
        onto a point worse than an earlier search's best) or ``"budget"``.
    """

    best_so_far: np.ndarray = None
    restarts: int = 0
    populations: list = None
    stops: list = None


def _bounds(bounds, dim):
    try:
        b = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"'bounds' must be an array of numbers of shape (d, 2), got {type(bounds).__name__}."
        ) from None
    if b.ndim != 2 or b.shape[1] != 2 or b.shape[0] < 1:
        raise ValueError(
            f"'bounds' must have shape (d, 2), one (low, high) row per coordinate; got shape "
            f"{b.shape}."
        )
    if dim is not None and b.shape[0] != dim:
        raise ValueError(
            f"'bounds' has {b.shape[0]} rows but the objective takes d = {dim} coordinates."
        )
    if not np.all(np.isfinite(b)) or not np.all(b[:, 1] > b[:, 0]):
        raise ValueError(
            f"'bounds' must be finite with low < high in every row, got {b.tolist()!r}."
        )
    return b


def _tied_ranks(values, u_sorted):
    """The utility of each sample by its rank (lowest first); tied values share the mean utility."""
    v = np.where(np.isnan(values), np.inf, values)
    order = np.argsort(v, kind="stable")
    _, group = np.unique(v[order], return_inverse=True)  # tie groups, in rank order
    share = np.bincount(group, weights=u_sorted) / np.bincount(group)
    w = np.empty(v.size)
    w[order] = share[group]
    return w


def _value_weights(values):
    """Fitness-proportional weights (the ablation without ranks): standardized, negated."""
    v = np.where(np.isfinite(values), values, np.nan)
    v = np.where(np.isnan(v), np.nanmax(v) if np.any(np.isfinite(v)) else 0.0, v)
    spread = v.std()
    if spread == 0:
        return np.zeros_like(v)
    return -(v - v.mean()) / (spread * v.size)


def solve(f, bounds, *, budget, rng, popsize=None, sigma0=0.25, restarts=True, grow=2.0,
          ranks=True, plateau=True, mirrored=True):
    r"""Minimize a bad objective in a box within a budget of evaluations: xNES with IPOP restarts.

    One generation of a search with mean :math:`\mu`, factor :math:`A` (covariance
    :math:`AA^\top`) and population :math:`n` draws mirrored pairs :math:`z_k, -z_k \sim \mathcal
    N(0, I)`, evaluates :math:`x_k = \mu + A z_k` (clipped into the box), gives the :math:`k`-th
    best sample the utility :math:`u_k` of :func:`~smoothopt.variational.utilities` (tied values
    share the mean of their utilities) and updates, with :math:`G = \sum_k u_k (z_k z_k^\top - I)`
    split into its scale :math:`g = \operatorname{tr}(G)/d` and shape :math:`G - gI` (xNES,
    Wierstra et al., 2014),

    .. math::

        \mu \leftarrow \mu + A \sum_k u_k z_k, \qquad
        A \leftarrow e^{\eta_\sigma g / 2}\, A \exp\Big(\tfrac{\eta_B}{2} (G - g I)\Big),
        \qquad \eta_\sigma = 1.25\,\frac{3 + \ln d}{5 \sqrt d}, \quad
        \eta_B = \frac{3\,(3 + \ln d)}{5\, d \sqrt d}.

    If the best quarter of the population ties (the best and the :math:`\lceil 0.1 + n/4
    \rceil`-th value are equal: a plateau), :math:`A \leftarrow e^{0.2} A` instead, and after three
    such generations in a row the search ends. A search also ends when its values have flattened
    (best and spread of the last :math:`10 + \lceil 30 d / n \rceil` generations within
    :math:`10^{-12}`), its width has collapsed (:math:`\|A\| < 10^{-12} w`), it has not improved
    for :math:`20 + \lceil 60 d / n \rceil` generations, or it has contracted (:math:`\|A\| <
    10^{-3} w`) onto a point worse than one an earlier search found. The next search starts at a
    uniform point of the box with :math:`\sigma_0 = 0.25\,w` per coordinate (box sides :math:`w`)
    and a population ``grow`` times larger, starting from :math:`4 + \lfloor 3 \ln d \rfloor` (IPOP,
    Auger & Hansen, 2005). Every evaluation counts toward ``budget``; the last generation is cut
    short to fit it. One run, not a batch: the searches are sequential by nature.

    Parameters
    ----------
    f : Objective or callable
        Batched: ``f(points)`` with ``points`` of shape ``(n, d)`` returns ``n`` values. For a
        function of one point, wrap it first (``objectives.pointwise`` or
        ``lambda p: np.array([g(q) for q in p])``).
    bounds : array_like, shape (d, 2)
        The box ``(low, high)`` per coordinate. Starts are drawn in it, and every evaluated point
        lies in it.
    budget : int
        The most evaluations of ``f`` to spend (at least 2).
    rng : numpy.random.Generator or int
    popsize : int, optional
        The first search's population; default :math:`4 + \lfloor 3 \ln d \rfloor` (at least 4).
    sigma0 : float
        The initial search width per coordinate, as a fraction of the box side.
    restarts : bool
        Restart until the budget is spent (``False``: one search, however it ends).
    grow : float
        The population factor from one search to the next (``1`` for plain restarts).
    ranks : bool
        Rank-based utilities (``False``: weights proportional to the standardized values; for the
        ablation only).
    plateau : bool
        Widen the search on a plateau, and end it after three plateau generations (``False``
        for the ablation).
    mirrored : bool
        Draw the samples in mirrored pairs :math:`\pm z` (``False`` for the ablation).

    Returns
    -------
    SolveResult
        ``x_best`` and ``fun_best`` (also ``x`` and ``fun``): the best point evaluated and its
        value; ``nfev <= budget``; ``best_so_far`` of length ``nfev``; ``restarts`` and
        ``populations``; ``path``: the mean after every generation.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> f = objectives.get("quantized_wavy_bowl")
    >>> res = solve(f, f.bounds, budget=1000, rng=1)
    >>> float(res.fun_best) == f.minimum, int(res.nfev)
    (True, 1000)
    """
    callable_arg(f, "f")
    b = _bounds(bounds, getattr(f, "dim", None))
    budget = count(budget, "budget", minimum=2)
    rng = as_rng(rng)
    d = b.shape[0]
    sigma0 = positive(sigma0, "sigma0")
    grow = positive(grow, "grow")
    if grow < 1:
        raise ValueError(f"'grow' must be at least 1 (a population that does not shrink), got {grow!r}.")
    n0 = max(4, 4 + int(3 * math.log(d))) if popsize is None else count(popsize, "popsize", minimum=2)
    lo, hi = b[:, 0], b[:, 1]
    width = hi - lo
    w = float(width.mean())
    eta_sigma = 1.25 * (3 + math.log(d)) / (5 * math.sqrt(d))  # the isotropic (SNES) rate
    eta_b = 3 * (3 + math.log(d)) / (5 * d * math.sqrt(d))  # xNES's rate for the shape

    history = np.empty(budget)  # every value, in the order evaluated
    spent = 0
    x_best, f_best = None, math.inf
    means, pops, stops = [], [], []
    search = 0

    def evaluate(points):
        nonlocal spent, x_best, f_best
        with np.errstate(all="ignore"):
            vals = np.asarray(f(points), dtype=float)
        if vals.shape != (points.shape[0],):
            raise ValueError(
                f"'f' must be batched: for points of shape {points.shape} it must return "
                f"{points.shape[0]} values, got shape {vals.shape}. Wrap a function of one point "
                "with objectives.pointwise."
            )
        history[spent:spent + vals.size] = vals
        spent += vals.size
        clean = np.where(np.isnan(vals), np.inf, vals)
        k = int(np.argmin(clean))
        if clean[k] < f_best:
            f_best, x_best = float(clean[k]), points[k].copy()
        return vals

    n = n0
    while spent < budget:
        mu = lo + width * rng.random(d)
        A = np.diag(sigma0 * width)
        u = utilities(n)
        means.append(mu.copy())
        pops.append(n)
        search += 1
        why = "budget"
        start_best = f_best  # the best of the earlier searches
        gen_best = []
        own_best, since = math.inf, 0
        flat_gens = 0
        flat_window = 10 + math.ceil(30 * d / n)
        stall_window = 20 + math.ceil(60 * d / n)
        while spent < budget:
            m = min(n, budget - spent)
            if mirrored:
                half = rng.standard_normal(((n + 1) // 2, d))
                z = np.concatenate([half, -half])[:n]
            else:
                z = rng.standard_normal((n, d))
            x = np.clip(mu + z @ A.T, lo, hi)
            vals = evaluate(x[:m])
            if m < n:
                why = "budget"
                break
            clean = np.where(np.isnan(vals), np.inf, vals)
            if not ranks:
                wts = _value_weights(clean)
            else:
                wts = _tied_ranks(clean, u)
            order = np.sort(clean)
            g_delta = wts @ z
            mu = mu + A @ g_delta
            tied = order[0] == order[min(n - 1, math.ceil(0.1 + n / 4))]
            flat_gens = flat_gens + 1 if tied else 0
            if plateau and tied:
                A = A * math.exp(0.2)  # the best quarter ties: widen to see past the plateau
            else:
                G = (z * wts[:, None]).T @ z - wts.sum() * np.eye(d)
                g_sigma = np.trace(G) / d  # the scale's share of G, learnt at its own rate
                ev, V = np.linalg.eigh(0.5 * eta_b * (G - g_sigma * np.eye(d)))
                A = math.exp(0.5 * eta_sigma * g_sigma) * (A @ (V * np.exp(ev)) @ V.T)
            means.append(mu.copy())
            gen_best.append(order[0])
            if not math.isfinite(own_best) or order[0] < own_best - 1e-12 * max(1.0, abs(own_best)):
                own_best, since = order[0], 0
            else:
                since += 1
            if not restarts:
                continue
            scale = np.linalg.norm(A, 2)
            tail = gen_best[-flat_window:]
            finite = clean[np.isfinite(clean)]
            flat = (len(gen_best) >= flat_window and max(tail) - min(tail) < 1e-12
                    and (finite.size == 0 or np.ptp(finite) < 1e-12))
            worse = scale < 1e-3 * w and own_best > start_best
            if plateau and flat_gens >= 3:
                flat = True
            why = ("flat" if flat else "collapsed" if scale < 1e-12 * w else
                   "stalled" if since >= stall_window else "worse" if worse else "")
            if why:
                break
            why = "budget"
        stops.append(why)
        n = max(n, int(round(n * grow)))
        if not restarts:
            break

    # A search that ends early without restarts leaves budget unspent; nfev says so.
    best = np.minimum.accumulate(np.where(np.isnan(history[:spent]), np.inf, history[:spent]))
    path = np.array(means)
    res = make_result(f, x_best, np.asarray(f_best), path, np.asarray(-1), nfev=spent, njev=0,
                      message=f"solve: {search} search{'es' * (search != 1)}, populations "
                      f"{pops[0]}..{pops[-1]}, {spent} evaluations", reason="",
                      cls=SolveResult, best_so_far=best, restarts=search, populations=pops,
                      stops=stops)
    res.x_best, res.fun_best = x_best, float(f_best)
    return res
