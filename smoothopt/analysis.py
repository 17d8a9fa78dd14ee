r"""Basins of attraction and critical points.

>>> import numpy as np
>>> from smoothopt import analysis
>>> ends = np.array([[0.0, 0.0], [1e-4, 0.0], [1.0, 1.0], [np.nan, 0.0]])
>>> m = analysis.basins(ends, tol=1e-2)
>>> m.labels.tolist(), m.counts.tolist()
([0, 0, 1, -1], [2, 1])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_points, positive
from .estimators import finite_difference, hessian, hessian_from_grad

__all__ = ["Minima", "basins", "CriticalPoints", "classify_critical_points"]


class Minima(NamedTuple):
    """Distinct end points found by :func:`basins`.

    Attributes
    ----------
    labels : ndarray of int, shape (...)
        Index of each run's minimum; ``-1`` for non-finite end points.
    points : ndarray, shape (k, d)
        The distinct minima (the mean of their members).
    counts : ndarray of int, shape (k,)
        How many runs ended at each.
    values : ndarray, shape (k,) or None
        ``f(points)`` when ``f`` was given; minima are then sorted by value.
    """

    labels: np.ndarray
    points: np.ndarray
    counts: np.ndarray
    values: np.ndarray | None


def basins(x: ArrayLike, f: Fn | None = None, *, tol: float = 1e-3) -> Minima:
    r"""Group end points into distinct minima (basins of attraction).

    Two end points belong to the same minimum when a chain of end points, each
    within about ``tol`` (Euclidean) of the next, joins them. Points are first
    snapped to a grid of spacing ``tol`` (so 10,000 runs that found 50 minima
    cost only 50-by-50 distance checks) and the grid cells then joined when
    their mean points are closer than ``2 tol``: end points within ``tol`` of
    each other are always joined (for ``d <= 3``), and end points up to
    ``2 tol`` apart may be joined too, so pick ``tol`` well below the distance
    between distinct minima.

    Parameters
    ----------
    x : array_like, shape (..., d), or Result
        End points, for example ``result.x`` (a :class:`~smoothopt.Result` stands for its ``x``).
    f : callable, optional
        If given, minima are sorted by ``f`` (label 0 is the lowest).
    tol : float
        Distance below which two end points are the same minimum.

    Returns
    -------
    Minima
    """
    if hasattr(x, "x") and hasattr(x, "path"):  # a Result: its end points
        x = x.x
    x = as_points(x, "x")
    tol = positive(tol, "tol")
    flat = x.reshape(-1, x.shape[-1])
    finite = np.all(np.isfinite(flat), axis=-1)
    labels = np.full(flat.shape[0], -1)
    if not finite.any():
        return Minima(labels.reshape(x.shape[:-1]), np.empty((0, x.shape[-1])),
                      np.empty(0, int), None if f is None else np.empty(0))
    cells, inverse = np.unique(np.round(flat[finite] / tol), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    centers = np.zeros((len(cells), x.shape[-1]))
    np.add.at(centers, inverse, flat[finite])
    centers /= np.bincount(inverse, minlength=len(cells))[:, None]
    group = _components(centers, 2 * tol)
    lab = group[inverse]
    k = group.max() + 1
    counts = np.bincount(lab, minlength=k)
    points = np.zeros((k, x.shape[-1]))
    np.add.at(points, lab, flat[finite])
    points /= counts[:, None]
    values = None
    if f is not None:
        values = np.asarray(f(points), dtype=float)
        order = np.argsort(values, kind="stable")
        rank = np.empty(k, int)
        rank[order] = np.arange(k)
        lab, points, counts, values = rank[lab], points[order], counts[order], values[order]
    labels[finite] = lab
    return Minima(labels.reshape(x.shape[:-1]), points, counts, values)


def _components(points, radius, chunk=2048):
    """Connected components of the graph joining points closer than ``radius``.

    Label propagation: every point takes the smallest label among its
    neighbours until nothing changes; distances are computed in chunks so
    memory stays at ``chunk * k`` even for many points.
    """
    k = len(points)
    labels = np.arange(k)
    while True:
        new = labels.copy()
        for start in range(0, k, chunk):
            block = points[start : start + chunk]
            near = np.linalg.norm(block[:, None] - points[None], axis=-1) < radius
            new[start : start + chunk] = np.min(np.where(near, labels[None], k), axis=1)
        new = new[new]  # pointer jumping: follow labels to their roots
        if np.array_equal(new, labels):
            break
        labels = new
    _, group = np.unique(labels, return_inverse=True)
    return group.ravel()


class CriticalPoints(NamedTuple):
    r"""Classification by :func:`classify_critical_points`.

    Attributes
    ----------
    kind : ndarray of str, shape (...)
        ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"``.
    eigenvalues : ndarray, shape (..., d)
        Hessian eigenvalues, ascending.
    gradient_norm : ndarray, shape (...)
        :math:`|\nabla f|` (should be near zero at a critical point).
    """

    kind: np.ndarray
    eigenvalues: np.ndarray
    gradient_norm: np.ndarray


def classify_critical_points(f: Fn, x: ArrayLike, *, tol: float = 1e-6,
                             h: float | None = None) -> CriticalPoints:
    r"""Classify critical points by the eigenvalues of the Hessian.

    All eigenvalues :math:`> \mathrm{tol}`: a minimum; all :math:`< -\mathrm{tol}`:
    a maximum; some of each sign: a saddle; otherwise (an eigenvalue within
    ``tol`` of zero and no sign change): degenerate, the second-order test
    cannot decide (the monkey saddle is one).

    The Hessian is the central finite-difference :func:`~smoothopt.estimators.hessian`
    of ``f`` (or :func:`~smoothopt.estimators.hessian_from_grad` of ``f.grad`` when ``f`` has an
    analytic gradient, which is more accurate).

    Parameters
    ----------
    f : Objective or callable
    x : array_like, shape (..., d)
    tol : float
        Eigenvalues within ``tol`` of zero count as zero.

    Returns
    -------
    CriticalPoints

    Examples
    --------
    >>> from smoothopt import objectives
    >>> classify_critical_points(objectives.get("monkey_saddle"), [0.0, 0.0]).kind
    array('degenerate', dtype='<U10')
    """
    x = as_points(x, "x")
    tol = positive(tol, "tol")
    if getattr(f, "has_grad", False):
        hmat = hessian_from_grad(f.grad, x)
        gnorm = np.linalg.norm(f.grad(x), axis=-1)
    else:
        hmat = hessian(f, x, h=h)
        gnorm = np.linalg.norm(finite_difference(f, x), axis=-1)
    lam = np.linalg.eigvalsh(hmat)
    pos = np.any(lam > tol, axis=-1)
    neg = np.any(lam < -tol, axis=-1)
    zero = np.any(np.abs(lam) <= tol, axis=-1)
    kind = np.where(
        pos & neg,
        "saddle",
        np.where(zero, "degenerate", np.where(pos, "minimum", "maximum")),
    )
    return CriticalPoints(kind, lam, gnorm)
