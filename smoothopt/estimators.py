r"""Gradients: finite differences of ``f``, and three estimators of :math:`\nabla f_\sigma`.

Deterministic finite differences (:func:`finite_difference`, :func:`hessian`)
approximate the derivatives of ``f`` itself. The other estimators target the
gradient of the Gaussian smoothing :math:`f_\sigma(x) = \mathbb{E} f(x + \sigma z)`:

* :func:`smoothed_finite_difference`: central differences of a Monte Carlo
  estimate of :math:`f_\sigma`, with or without common random numbers;
* :func:`score_function`: :math:`\nabla f_\sigma(x) = \mathbb{E}[f(x+\sigma z)\, z] / \sigma`
  (REINFORCE); needs only values of ``f``, so it works on discontinuous ``f``;
* :func:`reparameterization`: :math:`\nabla f_\sigma(x) = \mathbb{E}\, \nabla f(x + \sigma z)`
  (the pathwise estimator); needs the gradient of ``f``.

All take points ``x`` of shape ``(..., d)``, return gradients ``(..., d)``, take
randomness as ``rng`` and draw independent samples for every batch entry.
:func:`oracle` wraps any of them as the ``grad(x, rng)`` that
:func:`smoothopt.minimize` calls, with its cost in evaluations.

>>> import numpy as np
>>> from smoothopt import objectives, estimators
>>> f = objectives.get("bowl")
>>> g = estimators.score_function(f, [1.0, 2.0], sigma=0.5, n=400_000, rng=0, antithetic=True)
>>> np.round(g, 1)  # the exact smoothed gradient is 2x
array([2., 4.])
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import (as_points, as_rng, boolean, callable_arg, check_grad_output, checked_values,
                      count, positive)
from .objectives import Objective

__all__ = [
    "finite_difference",
    "hessian",
    "hessian_from_grad",
    "smoothed_finite_difference",
    "score_function",
    "reparameterization",
    "oracle",
    "Oracle",
    "geometric_schedule",
]

_EPS = np.finfo(float).eps


def _default_h(x, power):
    return _EPS**power * np.maximum(1.0, np.abs(x))


def _values(f, pts):
    """``f`` at ``pts``, checked (see ``_checks.CheckedValues``); ``f`` may be pre-wrapped."""
    return checked_values(f)(pts)


def finite_difference(f: Fn, x: ArrayLike, *, h: float | None = None,
                      scheme: str = "central") -> Array:
    r"""Finite-difference gradient of ``f`` at ``x``.

    .. math::

        \text{forward: } \frac{f(x + h e_i) - f(x)}{h}, \quad
        \text{backward: } \frac{f(x) - f(x - h e_i)}{h}, \quad
        \text{central: } \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Forward and backward have truncation error :math:`O(h)` and cost
    :math:`d + 1` evaluations; central has :math:`O(h^2)` and costs :math:`2d`.
    The default ``h`` balances truncation against round-off:
    :math:`\epsilon^{1/2}` for one-sided and :math:`\epsilon^{1/3}` for central
    differences, scaled by :math:`\max(1, |x_i|)`.

    Parameters
    ----------
    f : callable
        ``f(points) -> values`` for points of shape ``(..., d)``.
    x : array_like, shape (..., d)
    h : float, optional
        Step; positive.
    scheme : {"central", "forward", "backward"}

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> f = lambda p: (p**3).sum(-1)
    >>> finite_difference(f, [1.0, 2.0]).round(6)
    array([ 3., 12.])
    """
    callable_arg(f, "f")
    x = as_points(x, "x")
    if scheme not in ("central", "forward", "backward"):
        raise ValueError(
            f"'scheme' must be 'central', 'forward' or 'backward', got {scheme!r}."
        )
    if h is not None:
        h = positive(h, "h")
    with np.errstate(all="ignore"):  # overflow shows as inf or NaN in the result
        return _finite_difference(checked_values(f), x, h, scheme)


def _finite_difference(f, x, h, scheme):
    d = x.shape[-1]
    if h is None:
        h = _default_h(x, 1 / 3 if scheme == "central" else 1 / 2)
    else:
        h = h * np.ones_like(x)
    steps = np.eye(d) * h[..., None, :]  # (..., d, d): row i is h_i e_i
    # Round-trip the step through x + h so the divisor is what was really added.
    xs = x[..., None, :]
    hp = (xs + steps) - xs
    hi = np.diagonal(hp, axis1=-2, axis2=-1)
    # One call of f on all the points, (..., 2d, d) or (..., d + 1, d): a batch of d points
    # in d dimensions would let an f written for one point return the right shape by chance.
    if scheme == "central":
        v = _values(f, np.concatenate([xs + hp, xs - hp], axis=-2))
        return (v[..., :d] - v[..., d:]) / (2 * hi)
    sign = 1.0 if scheme == "forward" else -1.0
    v = _values(f, np.concatenate([xs + sign * hp, xs], axis=-2))
    return sign * (v[..., :d] - v[..., d:]) / hi


def hessian(f: Fn, x: ArrayLike, *, h: float | None = None) -> Array:
    r"""Central finite-difference Hessian of ``f`` at ``x``.

    .. math::

        H_{ij} \approx \frac{f(x + h e_i + h e_j) - f(x + h e_i - h e_j)
        - f(x - h e_i + h e_j) + f(x - h e_i - h e_j)}{4 h^2}

    Error :math:`O(h^2)`; cost :math:`4 d^2` evaluations (the curse of
    dimensionality). Default ``h`` is :math:`\epsilon^{1/4} \max(1, |x|)`.

    Returns
    -------
    ndarray, shape (..., d, d), symmetric

    Examples
    --------
    >>> f = lambda p: p[..., 0] ** 2 * p[..., 1]
    >>> hessian(f, [1.0, 3.0]).round(5)
    array([[6., 2.],
           [2., 0.]])
    """
    callable_arg(f, "f")
    x = as_points(x, "x")
    d = x.shape[-1]
    if h is None:
        hs = _EPS**0.25 * np.maximum(1.0, np.max(np.abs(x), axis=-1))
    else:
        hs = positive(h, "h") * np.ones(x.shape[:-1])
    e = np.eye(d) * hs[..., None, None]  # (..., d, d)
    ei = e[..., :, None, :]
    ej = e[..., None, :, :]
    xs = x[..., None, None, :]
    fv = checked_values(f)
    corners = [xs + ei + ej, xs + ei - ej, xs - ei + ej, xs - ei - ej]  # (..., d, d, d) each
    batch = x.shape[:-1]
    pts = np.stack(np.broadcast_arrays(*corners), axis=-2).reshape(batch + (4 * d * d, d))
    with np.errstate(all="ignore"):
        v = fv(pts).reshape(batch + (d, d, 4))  # one call on (..., 4 d^2, d) points
        num = v[..., 0] - v[..., 1] - v[..., 2] + v[..., 3]
        hmat = num / (4 * hs[..., None, None] ** 2)
    return 0.5 * (hmat + np.swapaxes(hmat, -1, -2))


def hessian_from_grad(grad: Fn, x: ArrayLike, *, h: float | None = None) -> Array:
    r"""Hessian as the central finite difference of an analytic gradient.

    .. math::

        H_{:, i} \approx \frac{\nabla f(x + h e_i) - \nabla f(x - h e_i)}{2h},
        \qquad H \leftarrow \tfrac12 (H + H^\top)

    More accurate than :func:`hessian` (one difference, error :math:`O(h^2)`
    with :math:`h = \epsilon^{1/3} \max(1, |x|)` by default) and cheaper:
    :math:`2d` gradient evaluations.

    Parameters
    ----------
    grad : callable
        ``grad(points) -> (..., d)``.
    x : array_like, shape (..., d)
    h : float, optional
        Positive step.

    Returns
    -------
    ndarray, shape (..., d, d), symmetric

    Examples
    --------
    >>> g = lambda p: np.stack([2 * p[..., 0] * p[..., 1], p[..., 0] ** 2], axis=-1)
    >>> hessian_from_grad(g, [1.0, 3.0]).round(6)
    array([[6., 2.],
           [2., 0.]])
    """
    callable_arg(grad, "grad")
    x = as_points(x, "x")
    if h is None:
        hs = _EPS ** (1 / 3) * np.maximum(1.0, np.max(np.abs(x), axis=-1))
    else:
        hs = positive(h, "h") * np.ones(x.shape[:-1])
    e = np.eye(x.shape[-1]) * hs[..., None, None]
    xs = x[..., None, :]
    with np.errstate(all="ignore"):
        gp, gm = xs + e, xs - e
        gp, gm = check_grad_output(grad(gp), gp, grad), check_grad_output(grad(gm), gm, grad)
        hmat = (gp - gm) / (2 * hs[..., None, None])
    return 0.5 * (hmat + np.swapaxes(hmat, -1, -2))


def _smoothing_args(x, sigma, n, rng, antithetic):
    x = as_points(x, "x")
    n = count(n, "n")
    if antithetic and n % 2:
        raise ValueError(
            f"'n' must be even with antithetic=True (samples come in pairs z, -z), got {n}."
        )
    s = _sigma_for_batch(sigma, x.shape[:-1])
    return x, n, s[..., None], as_rng(rng)


def _sigma_for_batch(sigma, batch):
    """A positive ``sigma`` that broadcasts to the batch shape without widening it.

    The samples are drawn for the batch of ``x``; a ``sigma`` of more runs than
    ``x`` has would give several runs the same samples, so it is an error.
    """
    s = np.asarray(positive(sigma, "sigma", allow_array=True), dtype=float)
    try:
        full = np.broadcast_shapes(s.shape, batch)
    except ValueError:
        raise ValueError(
            f"'sigma' of shape {s.shape} does not broadcast with the batch shape "
            f"{batch} of 'x'."
        ) from None
    if full != tuple(batch):
        raise ValueError(
            f"'sigma' of shape {s.shape} would widen the batch shape {tuple(batch)} of 'x' to "
            f"{full}; the samples are drawn per point of 'x', so give 'x' that batch shape "
            f"first (e.g. np.broadcast_to(x, {full + (-1,)!r}[:-1] + x.shape[-1:]))."
        )
    return s


def _normals(rng, n, shape, antithetic):
    if antithetic:
        half = rng.standard_normal((n // 2,) + shape)
        return np.concatenate([half, -half], axis=0)
    return rng.standard_normal((n,) + shape)


def smoothed_finite_difference(
    f: Fn, x: ArrayLike, *, sigma: ArrayLike, n: int, delta: float, rng: Seed,
    common_random_numbers: bool = True
) -> Array:
    r"""Central finite differences of the Monte Carlo estimate of :math:`f_\sigma`.

    .. math::

        \hat g_i = \frac{1}{2\delta n} \sum_{k=1}^n
        \left[f(x + \delta e_i + \sigma z_k) - f(x - \delta e_i + \sigma z_k')\right]

    With common random numbers, :math:`z_k' = z_k` (one set of samples shared by
    both sides and all coordinates): the noise cancels in the difference, and
    for a Lipschitz ``f`` (:math:`|f(a) - f(b)| \le L |a - b|`) each term is at
    most :math:`L` in size, so the variance stays bounded as :math:`\delta \to 0`.
    That is not true across a jump: a sample whose two sides straddle a
    discontinuity of height :math:`J` contributes :math:`J / (2\delta)`, with
    probability of order :math:`\delta / \sigma`, so the variance grows like
    :math:`1/\delta` even with common random numbers. Without them, each side
    draws its own samples and the variance grows like :math:`1/\delta^2`. Unbiased for the
    central difference of :math:`f_\sigma`, whose bias from :math:`\nabla f_\sigma`
    is :math:`O(\delta^2)`. Cost: :math:`2 d n` evaluations.

    Parameters
    ----------
    f : callable
    x : array_like, shape (..., d)
    sigma : float or array_like
        Positive smoothing width (an array broadcasts with the batch shape).
    n : int
        Samples per side.
    delta : float
        Positive finite-difference step.
    rng : numpy.random.Generator or int
    common_random_numbers : bool

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> f = lambda p: (p**2).sum(-1)
    >>> smoothed_finite_difference(f, [1.0], sigma=0.3, n=10, delta=0.01, rng=0).round(6)
    array([2.])
    """
    callable_arg(f, "f")
    common_random_numbers = boolean(common_random_numbers, "common_random_numbers")
    x, n, s, rng = _smoothing_args(x, sigma, n, rng, False)
    delta = positive(delta, "delta")
    d = x.shape[-1]
    e = np.eye(d) * delta  # (d, d)
    xs = x[..., None, :]  # (..., 1, d)
    if common_random_numbers:
        z = rng.standard_normal((n,) + x.shape)[..., None, :]  # (n, ..., 1, d)
        zp = zm = z
    else:
        zp = rng.standard_normal((n,) + x.shape[:-1] + (d, d))
        zm = rng.standard_normal((n,) + x.shape[:-1] + (d, d))
    sd = s[..., None]
    fv = checked_values(f)
    plus, minus = np.broadcast_arrays(xs + e + sd * zp, xs - e + sd * zm)
    with np.errstate(all="ignore"):
        v = fv(np.concatenate([plus, minus], axis=-2)).mean(axis=0)  # (..., 2d): one call
        return (v[..., :d] - v[..., d:]) / (2 * delta)


def score_function(f: Fn, x: ArrayLike, *, sigma: ArrayLike, n: int, rng: Seed,
                   baseline: bool | float = False, antithetic: bool = False) -> Array:
    r"""Score-function (REINFORCE, log-derivative) estimate of :math:`\nabla f_\sigma`.

    .. math::

        \nabla f_\sigma(x) = \frac{1}{\sigma}\,\mathbb{E}\left[f(x + \sigma z)\, z\right]
        \approx \frac{1}{n\sigma} \sum_{k=1}^n \left(f(x + \sigma z_k) - b_k\right) z_k

    Needs only values of ``f``. A baseline :math:`b_k` that does not depend on
    :math:`z_k` keeps it unbiased (:math:`\mathbb{E} z = 0`): ``baseline=True``
    uses the leave-one-out mean of the other samples' values; a number uses that
    constant. With ``antithetic=True`` the samples come in pairs
    :math:`\pm z_k` and the estimate is
    :math:`\frac{1}{n\sigma} \sum_{k=1}^{n/2} (f(x + \sigma z_k) - f(x - \sigma z_k)) z_k`,
    which cancels every even part of ``f`` (a baseline then changes nothing).
    Cost: :math:`n` evaluations.

    Parameters
    ----------
    f : callable
    x : array_like, shape (..., d)
    sigma : float or array_like
        Positive smoothing width (an array broadcasts with the batch shape).
    n : int
        Samples (even with ``antithetic``).
    rng : numpy.random.Generator or int
    baseline : bool or float
    antithetic : bool

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> f = lambda p: (p**2).sum(-1)
    >>> score_function(f, [1.0], sigma=0.5, n=2, rng=0, antithetic=True).shape
    (1,)
    """
    callable_arg(f, "f")
    antithetic = boolean(antithetic, "antithetic")
    x, n, s, rng = _smoothing_args(x, sigma, n, rng, antithetic)
    baseline = _check_baseline(baseline)
    if baseline is True and n < 2 and not antithetic:
        raise ValueError("'n' must be at least 2 with baseline=True (leave-one-out mean).")
    if isinstance(f, Objective):  # _values_fn skips the Objective's own check of d
        as_points(x, "x", f.dim)
    with np.errstate(all="ignore"):
        return _score(_values_fn(f), x, s, n, rng, baseline, antithetic)


def _check_baseline(baseline):
    if isinstance(baseline, (bool, np.bool_)):
        return bool(baseline)
    if isinstance(baseline, (str, bytes)):
        raise TypeError(f"'baseline' must be True, False or a number, got str {baseline!r}.")
    try:
        value = float(baseline)
    except (TypeError, ValueError):
        raise TypeError(
            f"'baseline' must be True, False or a number, got {type(baseline).__name__}."
        ) from None
    if not np.isfinite(value):
        raise ValueError(f"'baseline' must be finite, got {baseline!r}.")
    return value


def _values_fn(f):
    """``f`` as a float-valued function; skips an Objective's input checks
    (the callers have checked the points already)."""
    if isinstance(f, Objective):
        return checked_values(f._value)
    return checked_values(f)


def _score(fv, x, s, n, rng, baseline, antithetic):
    """The score-function estimate on checked arguments (see score_function)."""
    if antithetic:
        half = rng.standard_normal((n // 2,) + x.shape)
        vals = fv(x + s * np.concatenate([half, -half], axis=0))
        diff = vals[: n // 2] - vals[n // 2 :]
        return (diff[..., None] * half).sum(axis=0) / (n * s)
    z = rng.standard_normal((n,) + x.shape)
    vals = fv(x + s * z)
    if baseline is True:
        vals = vals - (vals.sum(axis=0) - vals) / (n - 1)
    elif baseline is not False:
        vals = vals - baseline
    return (vals[..., None] * z).sum(axis=0) / (n * s)


def reparameterization(grad: Fn, x: ArrayLike, *, sigma: ArrayLike, n: int, rng: Seed,
                       antithetic: bool = False) -> Array:
    r"""Reparameterization (pathwise) estimate of :math:`\nabla f_\sigma`.

    .. math::

        \nabla f_\sigma(x) = \mathbb{E}\, \nabla f(x + \sigma z)
        \approx \frac1n \sum_{k=1}^n \nabla f(x + \sigma z_k)

    Unbiased when ``f`` is locally Lipschitz (more generally, absolutely continuous
    along every line), so that derivative and expectation commute; being
    differentiable almost everywhere is not enough (the Cantor function is, and its
    derivative is 0 almost everywhere). For a piecewise-constant
    ``f`` the gradient is zero almost surely and so is this estimate, although
    :math:`\nabla f_\sigma \ne 0`. Cost: :math:`n` gradient evaluations.

    Parameters
    ----------
    grad : callable
        ``grad(points) -> (..., d)``, the gradient of ``f``.
    x : array_like, shape (..., d)
    sigma : float or array_like
    n : int
        Samples (even with ``antithetic``).
    rng : numpy.random.Generator or int
    antithetic : bool
        Use pairs :math:`\pm z_k`.

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> g = lambda p: 2 * p
    >>> reparameterization(g, [1.0], sigma=0.5, n=2, rng=0, antithetic=True)
    array([2.])
    """
    callable_arg(grad, "grad")
    antithetic = boolean(antithetic, "antithetic")
    x, n, s, rng = _smoothing_args(x, sigma, n, rng, antithetic)
    z = _normals(rng, n, x.shape, antithetic)
    pts = x + s * z
    with np.errstate(all="ignore"):
        return check_grad_output(grad(pts), pts, grad).mean(axis=0)


class Oracle(NamedTuple):
    """A gradient oracle ``grad(x, rng, t)`` for :func:`smoothopt.minimize`.

    ``nfev`` and ``njev`` are the objective and gradient evaluations one call
    costs per run; ``t`` is the step index (for schedules).
    """

    fn: Callable
    nfev: int
    njev: int
    name: str

    def __call__(self, x: Array, rng: Any = None, t: int = 0) -> Any:
        return self.fn(x, rng, t)


def oracle(f: Fn, method: str = "score_function", **options: Any) -> Oracle:
    r"""Wrap an estimator as the gradient oracle :func:`smoothopt.minimize` calls.

    Parameters
    ----------
    f : Objective or callable
        The objective (``reparameterization`` and ``"grad"`` use ``f.grad``).
    method : str
        One of ``"grad"``, ``"finite_difference"``, ``"smoothed_finite_difference"``,
        ``"score_function"``, ``"reparameterization"``.
    **options
        The estimator's keyword arguments (``sigma``, ``n``, ``delta``,
        ``baseline``, ``antithetic``, ...). ``sigma`` may be a callable of the
        step index ``t`` (a schedule).

    Returns
    -------
    Oracle
        Callable ``(x, rng, t) -> (..., d)`` with its cost per call.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> g = oracle(objectives.get("bowl"), "score_function", sigma=0.3, n=50)
    >>> g.nfev, g.njev
    (50, 0)
    """
    callable_arg(f, "f")
    sigma = options.pop("sigma", None)
    if method == "grad":
        _no_options(method, options, sigma)
        gfun = _analytic_grad(f)
        return Oracle(lambda x, rng, t: gfun(x), 0, 1, method)
    if method == "finite_difference":
        if sigma is not None:
            raise TypeError("'sigma' is not an option of 'finite_difference'.")
        d = _dim_of(f, options)
        extra = set(options) - {"h", "scheme"}
        if extra:
            raise TypeError(f"unknown options for 'finite_difference': {sorted(extra)}; "
                            "it takes 'h' and 'scheme'.")
        scheme = options.get("scheme", "central")
        if scheme not in ("central", "forward", "backward"):
            raise ValueError(
                f"'scheme' must be 'central', 'forward' or 'backward', got {scheme!r}."
            )
        if options.get("h") is not None:
            positive(options["h"], "h")
        cost = 2 * d if scheme == "central" else d + 1
        fv = checked_values(f)  # checked once, kept across steps (f is not called here)
        return Oracle(lambda x, rng, t: finite_difference(fv, x, **options), cost, 0, method)
    estimators = {
        "smoothed_finite_difference": smoothed_finite_difference,
        "score_function": score_function,
        "reparameterization": reparameterization,
    }
    if method not in estimators:
        raise ValueError(
            f"'method' must be one of {['grad', 'finite_difference', *estimators]}, "
            f"got {method!r}."
        )
    if sigma is None:
        raise TypeError(f"'sigma' is required for {method!r}.")
    if "n" not in options:
        raise TypeError(f"'n' (samples per step) is required for {method!r}.")
    allowed = {"smoothed_finite_difference": {"n", "delta", "common_random_numbers"},
               "score_function": {"n", "baseline", "antithetic"},
               "reparameterization": {"n", "antithetic"}}[method]
    if set(options) - allowed:
        raise TypeError(f"unknown options for {method!r}: {sorted(set(options) - allowed)}; "
                        f"it takes 'sigma' and {sorted(allowed)}.")
    if method == "smoothed_finite_difference":
        if "delta" not in options:
            raise TypeError("'delta' (the finite-difference step) is required for "
                            "'smoothed_finite_difference'.")
        positive(options["delta"], "delta")
    for flag in ("antithetic", "common_random_numbers"):
        if flag in options:
            boolean(options[flag], flag)
    if options.get("antithetic") and count(options["n"], "n") % 2:
        raise ValueError(
            f"'n' must be even with antithetic=True (samples come in pairs z, -z), got {options['n']}."
        )
    est = estimators[method]
    target = _analytic_grad(f) if method == "reparameterization" else checked_values(f)
    sig = sigma if callable(sigma) else positive(sigma, "sigma", allow_array=True)
    n = count(options["n"], "n")
    if method == "score_function" and not callable(sig):
        # Check the options once here, not at every step.
        extra = set(options) - {"n", "baseline", "antithetic"}
        if extra:
            raise TypeError(f"unknown options for 'score_function': {sorted(extra)}.")
        antithetic = boolean(options.get("antithetic", False), "antithetic")
        baseline = _check_baseline(options.get("baseline", False))
        if antithetic and n % 2:
            raise ValueError(
                f"'n' must be even with antithetic=True (samples come in pairs z, -z), got {n}."
            )
        if baseline is True and n < 2 and not antithetic:
            raise ValueError("'n' must be at least 2 with baseline=True (leave-one-out mean).")
        s_col = np.asarray(sig, dtype=float)[..., None]
        fv = _values_fn(f)

        dim = f.dim if isinstance(f, Objective) else None

        per_run = s_col.ndim > 1

        def fast(x, rng, t):
            if dim is not None and x.shape[-1] != dim:
                as_points(x, "x", dim)  # raises, naming 'x' and d
            if per_run:
                _sigma_for_batch(sig, x.shape[:-1])
            return _score(fv, x, s_col, n, as_rng(rng), baseline, antithetic)

        return Oracle(fast, n, 0, method)

    def fn(x, rng, t):
        s = sig(t) if callable(sig) else sig
        return est(target, x, sigma=s, rng=rng, **options)

    if method == "smoothed_finite_difference":
        return Oracle(fn, 2 * _dim_of(f, options) * n, 0, method)
    if method == "reparameterization":
        return Oracle(fn, 0, n, method)
    return Oracle(fn, n, 0, method)


def _no_options(method, options, sigma):
    if options or sigma is not None:
        raise TypeError(f"{method!r} takes no options, got {sorted(options)}.")


def _analytic_grad(f):
    gfun = getattr(f, "grad", None)
    if gfun is None or (hasattr(f, "has_grad") and not f.has_grad):
        reason = getattr(f, "_no_grad", None) or "it has no 'grad' method"
        raise ValueError(f"'f' has no analytic gradient: {reason}")
    return gfun


def _dim_of(f, options):
    dim = getattr(f, "dim", None)
    if dim is None:
        raise TypeError(
            "'f' must have a 'dim' attribute (an Objective) to count evaluations; "
            "wrap a plain callable with smoothopt.objectives.Objective."
        )
    return dim


def geometric_schedule(start: float, stop: float, steps: int) -> Callable[[Any], Any]:
    r"""A schedule ``t -> value`` falling geometrically from ``start`` to ``stop``.

    .. math::

        s_t = s_0 \left(\frac{s_{\mathrm{end}}}{s_0}\right)^{\min(t,\, T-1)/(T-1)},
        \qquad t = 0, 1, \dots

    reaching ``stop`` at step ``t = steps - 1`` and staying there. Pass it as
    ``sigma`` to :func:`oracle` (a shrinking smoothing width) or as ``lr`` to an
    optimizer; both call it with the step index ``t``.

    Parameters
    ----------
    start, stop : float
        Positive values at the first and the last step.
    steps : int
        Number of steps ``T`` (at least 1; with 1 the schedule is constant ``start``).

    Returns
    -------
    callable
        ``schedule(t) -> float`` (also accepts an array of step indices).

    Examples
    --------
    >>> s = geometric_schedule(0.5, 0.2, 30)
    >>> round(float(s(0)), 6), round(float(s(29)), 6), round(float(s(100)), 6)
    (0.5, 0.2, 0.2)
    """
    start = positive(start, "start")
    stop = positive(stop, "stop")
    steps = count(steps, "steps")
    ratio = stop / start

    def schedule(t):
        t = np.asarray(t, dtype=float)
        if np.any(t < 0):
            raise ValueError(f"the step index 't' must be non-negative, got {t!r}.")
        frac = np.minimum(t, steps - 1) / (steps - 1) if steps > 1 else 0.0 * t
        out = start * ratio**frac
        return float(out) if out.ndim == 0 else out

    return schedule
