r"""Estimates of the Gaussian smoothing of any callable.

.. math::

    f_\sigma(x) = \mathbb{E}_{z \sim \mathcal{N}(0, I_d)} f(x + \sigma z)
    = \int f(x + \sigma z)\, \varphi(z)\, dz

``f`` is any callable mapping points of shape ``(..., d)`` to values ``(...)``
(every :class:`~smoothopt.objectives.Objective` is one). When ``f`` has a
closed-form smoothing, :meth:`Objective.smoothed <smoothopt.objectives.Objective.smoothed>`
gives it exactly.

>>> import numpy as np
>>> from smoothopt import objectives, smoothing
>>> f = objectives.get("wavy_bowl")
>>> x = np.array([0.5, 1.0])
>>> exact = f.smoothed(x, sigma=0.3)
>>> bool(abs(smoothing.quadrature(f, x, sigma=0.3) - exact) < 1e-8)
True
"""

from __future__ import annotations

import numpy as np

from typing import Any

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_points, as_rng, callable_arg, checked_values, count

__all__ = ["monte_carlo", "quadrature", "gauss_hermite"]


def _sigma_array(sigma, batch_shape, allow_zero=False, widen=True):
    if isinstance(sigma, (bool, str, bytes)):
        raise TypeError(f"'sigma' must be a number or an array of numbers, got {sigma!r}.")
    try:
        s = np.asarray(sigma, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"'sigma' must be a number or an array, got {type(sigma).__name__}.") from None
    ok = np.all(np.isfinite(s)) and (np.all(s >= 0) if allow_zero else np.all(s > 0))
    if not ok:
        raise ValueError(f"'sigma' must be positive and finite, got {sigma!r}.")
    try:
        full = np.broadcast_shapes(s.shape, batch_shape)
    except ValueError:
        raise ValueError(
            f"'sigma' of shape {s.shape} does not broadcast with the batch shape "
            f"{batch_shape} of 'x'."
        ) from None
    if not widen and full != tuple(batch_shape):
        raise ValueError(
            f"'sigma' of shape {s.shape} would widen the batch shape {tuple(batch_shape)} of 'x' "
            f"to {full}; the samples are drawn per point of 'x', so several sigmas would share "
            "them. Give 'x' the full batch shape first (np.broadcast_to)."
        )
    return s[..., None]  # broadcast against the coordinate axis


def monte_carlo(f: Fn, x: ArrayLike, *, sigma: ArrayLike, n: int, rng: Seed,
                stderr: bool = False) -> Any:
    r"""Monte Carlo estimate of :math:`f_\sigma(x)` from ``n`` samples.

    .. math::

        \hat f_\sigma(x) = \frac1n \sum_{i=1}^n f(x + \sigma z_i),
        \qquad z_i \sim \mathcal{N}(0, I_d)

    Unbiased, with standard error :math:`\operatorname{sd}[f(x + \sigma z)] / \sqrt{n}`.

    Parameters
    ----------
    f : callable
        ``f(points) -> values`` for points of shape ``(..., d)``.
    x : array_like, shape (..., d)
        Where to smooth; every batch entry gets its own samples.
    sigma : float or array_like
        Smoothing width, positive; an array broadcasts to ``x.shape[:-1]``
        (it may not widen it: the samples are drawn per point of ``x``).
    n : int
        Samples per point.
    rng : numpy.random.Generator or int
        Source of randomness.
    stderr : bool
        Also return the estimated standard error (needs ``n >= 2``).

    Returns
    -------
    estimate : ndarray, shape (...)
    stderr : ndarray, shape (...), only if ``stderr`` is true

    Examples
    --------
    >>> f = lambda p: (p**2).sum(-1)
    >>> float(monte_carlo(f, [0.0], sigma=1.0, n=200_000, rng=0).round(2))
    1.0
    """
    callable_arg(f, "f")
    x = as_points(x, "x")
    n = count(n, "n", 2 if stderr else 1)
    s = _sigma_array(sigma, x.shape[:-1], widen=False)
    z = as_rng(rng).standard_normal((n,) + x.shape)
    with np.errstate(all="ignore"):
        vals = checked_values(f)(x + s * z)
        est = vals.mean(axis=0)
        if stderr:
            return est, vals.std(axis=0, ddof=1) / np.sqrt(n)
    return est


def gauss_hermite(order: int, d: int) -> tuple[Array, Array]:
    r"""Tensor-product Gauss–Hermite nodes and weights for :math:`\mathcal{N}(0, I_d)`.

    Returns ``nodes`` of shape ``(order**d, d)`` and ``weights`` summing to 1 so
    that :math:`\mathbb{E} g(z) \approx \sum_k w_k g(z_k)`, exact for
    polynomials of degree up to ``2 * order - 1`` in each coordinate.

    >>> z, w = gauss_hermite(3, 1)
    >>> float((w * z[:, 0] ** 4).sum())  # E z^4 = 3
    3.0
    """
    order = count(order, "order")
    if order > 300:  # numpy's hermegauss overflows beyond about 350 nodes
        raise ValueError(
            f"'order' must be at most 300 (the Gauss-Hermite weights underflow beyond), got "
            f"{order}; for a rougher f use smoothopt.smoothing.monte_carlo."
        )
    d = count(d, "d")
    if order**d > 4_000_000:
        raise ValueError(
            f"'order' = {order} in d = {d} needs order**d = {order**d:.3g} nodes; "
            "use a smaller order or smoothopt.smoothing.monte_carlo in high dimension."
        )
    t, w = np.polynomial.hermite_e.hermegauss(order)
    w = w / w.sum()
    grids = np.meshgrid(*([t] * d), indexing="ij")
    wgrids = np.meshgrid(*([w] * d), indexing="ij")
    nodes = np.stack([g.ravel() for g in grids], axis=-1)
    weights = np.prod(np.stack([g.ravel() for g in wgrids], axis=-1), axis=-1)
    return nodes, weights


def quadrature(f: Fn, x: ArrayLike, *, sigma: ArrayLike, order: int = 20) -> Array:
    r"""Deterministic Gauss–Hermite estimate of :math:`f_\sigma(x)`.

    .. math::

        f_\sigma(x) \approx \sum_k w_k\, f(x + \sigma z_k)

    with the tensor-product rule of :func:`gauss_hermite` (``order**d`` nodes
    per point). For smooth ``f`` the error falls geometrically in ``order``; for
    a discontinuous ``f`` it falls only like a power of ``order``. Meant for
    small ``d`` (the node count grows like ``order**d``).

    Parameters
    ----------
    f : callable
        ``f(points) -> values`` for points of shape ``(..., d)``.
    x : array_like, shape (..., d)
    sigma : float or array_like
        Positive width; an array broadcasts with ``x.shape[:-1]`` (and may widen
        it: the rule is deterministic, so one call can smooth at several widths).
    order : int
        Nodes per coordinate.

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> f = lambda p: (p**2).sum(-1)
    >>> float(quadrature(f, [1.0, 2.0], sigma=0.5, order=3))  # 5 + 2 * 0.25
    5.5
    """
    callable_arg(f, "f")
    x = as_points(x, "x")
    s = _sigma_array(sigma, x.shape[:-1])
    nodes, weights = gauss_hermite(order, x.shape[-1])
    # Points of shape (..., K, d): every batch entry against every node.
    pts = x[..., None, :] + s[..., None, :] * nodes
    with np.errstate(all="ignore"):
        return checked_values(f)(pts) @ weights
