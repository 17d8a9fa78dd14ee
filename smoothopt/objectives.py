r"""A gallery of bad objective functions, all posed as minimization.

Every objective is an :class:`Objective`: a callable on points of shape
``(..., d)`` returning values of shape ``(...)``, with its analytic gradient
where one exists and, wherever a closed form exists, its exact Gaussian
smoothing

.. math::

    f_\sigma(x) = \mathbb{E}_{z \sim \mathcal{N}(0, I)} f(x + \sigma z).

Two identities give most of the closed forms. For a linear form
:math:`a \cdot x`,

.. math::

    \mathbb{E} \sin(a \cdot (x + \sigma z)) = \sin(a \cdot x)\, e^{-\sigma^2 |a|^2 / 2},
    \qquad
    \mathbb{E} \cos(a \cdot (x + \sigma z)) = \cos(a \cdot x)\, e^{-\sigma^2 |a|^2 / 2},

and a polynomial is smoothed with the Gaussian moments
:math:`\mathbb{E} z^2 = 1`, :math:`\mathbb{E} z^4 = 3`.

>>> from smoothopt import objectives
>>> f = objectives.get("wavy_bowl")
>>> round(float(f([2.0, 2.0])), 4), round(float(f.smoothed([2.0, 2.0], sigma=0.3)), 4)
(-1.3831, -0.0666)
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_points

__all__ = ["Objective", "NotAvailableError", "get", "names", "pointwise"]


class NotAvailableError(NotImplementedError):
    """Raised when an objective has no gradient or no closed-form smoothing."""


class Objective:
    r"""A test objective :math:`f: \mathbb{R}^d \to \mathbb{R}` to be minimized.

    Parameters
    ----------
    name : str
        Name in the gallery.
    dim : int
        Number of coordinates ``d``.
    value : callable
        ``value(x) -> (...)`` for ``x`` of shape ``(..., d)``.
    bounds : array_like, shape (d, 2), optional
        Plotting window (and the box of random search), one ``[low, high]`` row
        per coordinate; ``None`` if not known.
    formula : str, optional
        The formula in LaTeX, shown in plots and tables.
    grad, smoothed, smoothed_grad : callable, optional
        Analytic gradient ``grad(x) -> (..., d)``; exact smoothing
        ``smoothed(x, sigma) -> (...)`` and its gradient
        ``smoothed_grad(x, sigma) -> (..., d)``.
    minimizers : array_like, shape (k, d), optional
        Known global minimizers (``None`` when unbounded below or not known).
    smooth, convex : bool
        Properties reported in the gallery.
    no_grad : str, optional
        Why there is no gradient (the message of the error ``grad`` raises).
    """

    def __init__(
        self,
        name: str,
        dim: int,
        value: Callable,
        *,
        bounds: ArrayLike | None = None,
        formula: str = "",
        grad: Callable | None = None,
        smoothed: Callable | None = None,
        smoothed_grad: Callable | None = None,
        minimizers: ArrayLike | None = None,
        smooth: bool = True,
        convex: bool = False,
        no_grad: str | None = None,
        description: str = "",
    ) -> None:
        from ._checks import callable_arg, count

        self.name = name
        self.dim = count(dim, "dim")
        callable_arg(value, "value")
        self._value = value
        self._grad = grad
        self._smoothed = smoothed
        self._smoothed_grad = smoothed_grad
        self.bounds = None if bounds is None else _bounds(bounds, self.dim)
        if minimizers is not None:
            m = np.asarray(minimizers, float)
            if m.ndim not in (1, 2) or m.shape[-1] != self.dim:
                raise ValueError(
                    f"'minimizers' must have shape (k, {self.dim}), got shape {m.shape}."
                )
            minimizers = m.reshape(-1, self.dim)
        self.minimizers = minimizers
        self.formula = formula
        self.smooth = smooth
        self.convex = convex
        self.description = description
        self._no_grad = no_grad

    # -- evaluation -------------------------------------------------------
    def __call__(self, x: ArrayLike) -> Array:
        """Value at points ``x`` of shape ``(..., d)``; returns shape ``(...)``."""
        return self._value(as_points(x, "x", self.dim))

    @property
    def has_grad(self) -> bool:
        """Whether an analytic gradient exists."""
        return self._grad is not None

    @property
    def has_smoothing(self) -> bool:
        """Whether the exact Gaussian smoothing has a closed form here."""
        return self._smoothed is not None

    @property
    def minimum(self) -> float | None:
        """The global minimum value, or ``None`` when no minimizer is known."""
        if self.minimizers is None:
            return None
        return float(np.min(self(self.minimizers)))

    def grad(self, x: ArrayLike) -> Array:
        """Gradient at ``x`` of shape ``(..., d)``; returns shape ``(..., d)``."""
        if self._grad is None:
            raise NotAvailableError(
                self._no_grad or f"{self.name} has no analytic gradient."
            )
        return self._grad(as_points(x, "x", self.dim))

    def smoothed(self, x: ArrayLike, sigma: ArrayLike) -> Array:
        r"""Exact Gaussian smoothing :math:`\mathbb{E} f(x + \sigma z)`.

        ``sigma`` is a non-negative number or an array broadcastable to the
        batch shape ``x.shape[:-1]``; ``sigma = 0`` gives ``f`` itself.
        """
        if self._smoothed is None:
            raise NotAvailableError(self._no_smoothing_message())
        x = as_points(x, "x", self.dim)
        return self._smoothed(x, _sigma(sigma, x))

    def smoothed_grad(self, x: ArrayLike, sigma: ArrayLike) -> Array:
        r"""Gradient of the exact Gaussian smoothing, shape ``(..., d)``."""
        if self._smoothed_grad is None:
            raise NotAvailableError(self._no_smoothing_message())
        x = as_points(x, "x", self.dim)
        return self._smoothed_grad(x, _sigma(sigma, x))

    def _no_smoothing_message(self):
        return (
            f"{self.name} has no closed-form Gaussian smoothing; estimate it with "
            "smoothopt.smoothing.quadrature (small d) or smoothopt.smoothing.monte_carlo."
        )

    def __repr__(self):
        return f"Objective({self.name!r}, dim={self.dim})"


def _bounds(bounds, d):
    b = np.asarray(bounds, dtype=float)
    if b.shape not in ((d, 2), (2,) if d == 1 else (d, 2)) or not np.all(np.isfinite(b)):
        raise ValueError(
            f"'bounds' must be a finite array of shape ({d}, 2), one [low, high] row per "
            f"coordinate, got shape {b.shape}."
        )
    b = b.reshape(d, 2)
    if not np.all(b[:, 1] > b[:, 0]):
        raise ValueError(f"'bounds' must have low < high in every row, got {b.tolist()}.")
    return b


def _sigma(sigma, x):
    s = np.asarray(sigma, dtype=float)
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"'sigma' must be non-negative and finite, got {sigma!r}.")
    try:
        np.broadcast_shapes(s.shape, x.shape[:-1])
    except ValueError:
        raise ValueError(
            f"'sigma' of shape {s.shape} does not broadcast with the batch shape "
            f"{x.shape[:-1]} of 'x'; pass a number or an array of the batch shape."
        ) from None
    return s


def pointwise(f: Fn, *, name: str | None = None) -> Callable[[ArrayLike], Array]:
    r"""Turn a function of one point, ``f(x) -> float`` for ``x`` of shape ``(d,)``, into a batched one.

    The library calls objectives on whole batches of points, shape ``(..., d)``,
    and expects values of shape ``(...)``. A scipy-style ``f`` that takes one
    point at a time is wrapped so that it is called once per point (a Python
    loop: convenient, not fast).

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for one point ``x`` of shape ``(d,)``.
    name : str, optional
        Name used in error messages (default: ``f``'s own name).

    Returns
    -------
    callable
        ``batched(points) -> values`` for points of shape ``(..., d)``.

    Examples
    --------
    >>> f = pointwise(lambda x: x[0] * x[1] + x[2] ** 2)
    >>> f(np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 1.0]]))
    array([11.,  1.])
    """
    if not callable(f):
        raise TypeError(f"'f' must be callable, got {type(f).__name__}.")
    label = name or getattr(f, "__qualname__", None) or type(f).__name__

    def batched(x):
        x = np.asarray(x, dtype=float)
        if x.ndim == 0:
            raise ValueError(f"points for {label} must have shape (..., d), got a scalar.")
        flat = x.reshape(-1, x.shape[-1])
        out = np.empty(len(flat))
        for i, p in enumerate(flat):
            v = np.asarray(f(p.copy()))
            if v.size != 1 or v.dtype.kind not in "fiub":
                raise ValueError(
                    f"{label!r} (wrapped by pointwise) returned {type(v).__name__} of shape "
                    f"{v.shape} for one point of shape {p.shape}; it must return one number."
                )
            out[i] = v.reshape(())
        return out.reshape(x.shape[:-1])

    batched.__name__ = batched.__qualname__ = f"pointwise({label})"
    batched.__wrapped__ = f
    return batched


# ----------------------------------------------------------------------------
# Helpers for closed forms
# ----------------------------------------------------------------------------


def _damp(sigma, a_sq):
    """Smoothing factor of sin/cos of a linear form with ``|a|^2 = a_sq``."""
    return np.exp(-0.5 * sigma**2 * a_sq)


def _erf(x):
    try:  # scipy is optional; its erf is vectorized C
        from scipy.special import erf
    except ImportError:  # pragma: no cover - exercised only without scipy
        erf = np.vectorize(math.erf, otypes=[float])
    return erf(x)


def _norm_cdf(x):
    return 0.5 * (1.0 + _erf(np.asarray(x) / math.sqrt(2.0)))


def _norm_pdf(x):
    return np.exp(-0.5 * np.asarray(x) ** 2) / math.sqrt(2 * math.pi)


def _stack(*parts):
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


# ----------------------------------------------------------------------------
# The gallery
# ----------------------------------------------------------------------------

# wavy_bowl: the two-parameter homework function, negated to a loss.
_WB_A = (2.5, -5.0)  # sin term
_WB_B = (4.0, 8.0)  # cos term
_WB_A2 = _WB_A[0] ** 2 + _WB_A[1] ** 2
_WB_B2 = _WB_B[0] ** 2 + _WB_B[1] ** 2


def _wavy_bowl_parts(x, sigma=0.0):
    u = _WB_A[0] * x[..., 0] + _WB_A[1] * x[..., 1]
    v = _WB_B[0] * x[..., 0] + _WB_B[1] * x[..., 1]
    return u, v, _damp(sigma, _WB_A2), _damp(sigma, _WB_B2)


def _wavy_bowl_value(x):
    u = _WB_A[0] * x[..., 0] + _WB_A[1] * x[..., 1]
    v = _WB_B[0] * x[..., 0] + _WB_B[1] * x[..., 1]
    return (x[..., 0] - 2) ** 2 + (x[..., 1] - 2) ** 2 - np.sin(u) - np.cos(v)


def _wavy_bowl_grad(x):
    u = _WB_A[0] * x[..., 0] + _WB_A[1] * x[..., 1]
    v = _WB_B[0] * x[..., 0] + _WB_B[1] * x[..., 1]
    cu, sv = np.cos(u), np.sin(v)
    g = np.empty(x.shape)
    g[..., 0] = 2 * (x[..., 0] - 2) - _WB_A[0] * cu + _WB_B[0] * sv
    g[..., 1] = 2 * (x[..., 1] - 2) - _WB_A[1] * cu + _WB_B[1] * sv
    return g


def _wavy_bowl_smoothed(x, sigma):
    u, v, da, db = _wavy_bowl_parts(x, sigma)
    quad = (x[..., 0] - 2) ** 2 + (x[..., 1] - 2) ** 2 + 2 * sigma**2
    return quad - np.sin(u) * da - np.cos(v) * db


def _wavy_bowl_smoothed_grad(x, sigma):
    u, v, da, db = _wavy_bowl_parts(x, sigma)
    gx = 2 * (x[..., 0] - 2) - _WB_A[0] * np.cos(u) * da + _WB_B[0] * np.sin(v) * db
    gy = 2 * (x[..., 1] - 2) - _WB_A[1] * np.cos(u) * da + _WB_B[1] * np.sin(v) * db
    return _stack(gx, gy)


def wavy_bowl() -> Objective:
    r"""The multimodal two-parameter homework function, as a loss.

    .. math::

        f(x, y) = (x - 2)^2 + (y - 2)^2 - \sin(2.5x - 5y) - \cos(4x + 8y)

    The homework maximizes :math:`-f`; we minimize :math:`f`. Exact smoothing:
    :math:`f_\sigma = (x-2)^2 + (y-2)^2 + 2\sigma^2
    - \sin(2.5x - 5y)\,e^{-31.25\sigma^2/2} - \cos(4x + 8y)\,e^{-80\sigma^2/2}`.
    """
    return Objective(
        "wavy_bowl",
        2,
        _wavy_bowl_value,
        grad=_wavy_bowl_grad,
        smoothed=_wavy_bowl_smoothed,
        smoothed_grad=_wavy_bowl_smoothed_grad,
        bounds=[[-1, 3], [-1, 3]],
        minimizers=[[2.180161866585, 2.045173115880]],
        formula=r"(x-2)^2 + (y-2)^2 - \sin(2.5x - 5y) - \cos(4x + 8y)",
        description="a bowl covered in ripples: many local minima in stripes",
    )


def quantized_wavy_bowl() -> Objective:
    r"""The homework's quantized objective, as a loss.

    .. math::

        f(x, y) = -\left\lfloor F(x, y) / 4.5 + 0.64 \right\rfloor,
        \qquad F = -\mathrm{wavy\_bowl}

    Piecewise constant: the gradient is zero almost everywhere and undefined on
    the level boundaries, so there is no gradient and no closed-form smoothing.
    The best level is :math:`-1` (the top level ``1`` of the homework).
    """

    def value(x):
        big_f = -_wavy_bowl_value(x)
        return 0.0 - np.floor(big_f / 4.5 + 0.64)  # 0.0 - : level 0 is +0.0, not -0.0

    return Objective(
        "quantized_wavy_bowl",
        2,
        value,
        bounds=[[-1, 3], [-1, 3]],
        minimizers=[[2.180161866585, 2.045173115880]],
        formula=r"-\lfloor -\mathrm{wavy\_bowl}(x, y) / 4.5 + 0.64 \rfloor",
        smooth=False,
        no_grad=(
            "quantized_wavy_bowl is piecewise constant: its gradient is zero almost "
            "everywhere and undefined on the level boundaries, so it has no useful "
            "gradient. Estimate the gradient of its Gaussian smoothing instead with "
            "smoothopt.estimators.score_function or smoothed_finite_difference."
        ),
        description="the wavy bowl cut into flat terraces: no gradient anywhere",
    )


# sinc: numpy's normalized sinc, sin(pi x) / (pi x), negated.
_GL_T, _GL_W = np.polynomial.legendre.leggauss(160)
_GL_T, _GL_W = 0.5 * _GL_T, 0.5 * _GL_W  # nodes on [-1/2, 1/2]


_GL40_T, _GL40_W = np.polynomial.legendre.leggauss(40)
_SINC_X_MAX = 1e5  # beyond, the composite rule below would need > 10^6 nodes per point


def _sinc_rule(xmax):
    """Nodes and weights on [-1/2, 1/2] exact to machine precision for ``|x| <= xmax``.

    160-point Gauss-Legendre up to ``|x| < 60``; beyond, a composite 40-point rule
    with panels short enough that ``cos(2 pi x t)`` turns by at most 20 radians
    in each, so the node count grows like ``12.6 |x|``.
    """
    if xmax < 60:
        return _GL_T, _GL_W
    panels = int(math.ceil(2 * math.pi * xmax / 20)) + 1
    edges = np.linspace(-0.5, 0.5, panels + 1)
    half = 0.5 * np.diff(edges)[:, None]
    t = (0.5 * (edges[1:] + edges[:-1]))[:, None] + half * _GL40_T
    return t.ravel(), (half * _GL40_W).ravel()


def _sinc_integral(x, sigma, grad):
    xs = x[..., 0]
    s = np.asarray(sigma, dtype=float)
    xmax = float(np.max(np.abs(xs), initial=0.0))
    if not xmax <= _SINC_X_MAX:
        raise ValueError(
            f"sinc.smoothed is computed by quadrature for |x| <= {_SINC_X_MAX:g}; got |x| up to "
            f"{xmax:g}. There f_sigma is within 1/(pi |x|) of 0; use smoothing.monte_carlo if you "
            "need it further out."
        )
    T, W = _sinc_rule(xmax)
    shape = np.broadcast_shapes(xs.shape, s.shape)
    xs, s = np.broadcast_to(xs, shape)[..., None], np.broadcast_to(s, shape)[..., None]
    out = np.zeros(shape)
    chunk = max(1, 4_000_000 // max(1, int(np.prod(shape))))
    for i in range(0, len(T), chunk):
        t, w = T[i : i + chunk], W[i : i + chunk]
        ws = w * np.exp(-2 * math.pi**2 * s**2 * t**2)
        if grad:
            out += np.sum(ws * 2 * math.pi * t * np.sin(2 * math.pi * xs * t), axis=-1)
        else:
            out -= np.sum(ws * np.cos(2 * math.pi * xs * t), axis=-1)
    return out


def _sinc_smoothed(x, sigma):
    # sinc(x) = int_{-1/2}^{1/2} cos(2 pi x t) dt, and E cos(2 pi (x + sigma z) t)
    # = cos(2 pi x t) exp(-2 pi^2 sigma^2 t^2): one smooth 1-D integral.
    return _sinc_integral(x, sigma, grad=False)


def _sinc_smoothed_grad(x, sigma):
    return _sinc_integral(x, sigma, grad=True)[..., None]


def _sinc_grad(x):
    t = x[..., 0]
    small = np.abs(t) < 1e-4
    safe = np.where(small, 1.0, t)
    exact = (np.cos(math.pi * safe) - np.sinc(safe)) / safe
    series = -(math.pi**2) * t / 3 * (1 - math.pi**2 * t**2 / 10)
    return -np.where(small, series, exact)[..., None]


def sinc() -> Objective:
    r"""Negated normalized sinc, a 1-D function with many local minima.

    .. math::

        f(x) = -\operatorname{sinc}(x) = -\frac{\sin(\pi x)}{\pi x}

    Exact smoothing from :math:`\operatorname{sinc}(x) = \int_{-1/2}^{1/2}
    \cos(2\pi x t)\,dt`: :math:`f_\sigma(x) = -\int_{-1/2}^{1/2}
    \cos(2\pi x t)\,e^{-2\pi^2\sigma^2 t^2}\,dt`, evaluated by Gauss–Legendre
    quadrature to machine precision for :math:`|x| \le 10^5` (a composite rule
    beyond :math:`|x| = 60`); further out ``smoothed`` raises a ``ValueError``.
    """
    return Objective(
        "sinc",
        1,
        lambda x: -np.sinc(x[..., 0]),
        grad=_sinc_grad,
        smoothed=_sinc_smoothed,
        smoothed_grad=_sinc_smoothed_grad,
        bounds=[[-10, 10]],
        minimizers=[[0.0]],
        formula=r"-\sin(\pi x) / (\pi x)",
        description="a damped oscillation: one global and many local minima",
    )


def floored_sinc() -> Objective:
    r"""The floored 1-D hard function of the blog post, negated.

    .. math::

        f(x) = -\left\lfloor 10 \operatorname{sinc}(x) + 4 \sin(x) \right\rfloor

    Piecewise constant with a thin best level (value :math:`-10`) on :math:`0 \le x \lesssim 0.248`:
    no gradient, no closed-form smoothing.
    """

    def value(x):
        t = x[..., 0]
        return 0.0 - np.floor(10 * np.sinc(t) + 4 * np.sin(t))

    return Objective(
        "floored_sinc",
        1,
        value,
        bounds=[[-10, 10]],
        minimizers=[[0.124]],
        formula=r"-\lfloor 10\,\mathrm{sinc}(x) + 4 \sin(x) \rfloor",
        smooth=False,
        no_grad=(
            "floored_sinc is piecewise constant: its gradient is zero almost everywhere "
            "and undefined at the jumps. Use a smoothed-gradient estimator "
            "(smoothopt.estimators.score_function or smoothed_finite_difference)."
        ),
        description="terraces with a thin top level: no gradient anywhere",
    )


def bowl(dim: int = 2) -> Objective:
    r"""The sphere function, the archetypal convex objective.

    .. math::

        f(x) = \sum_i x_i^2, \qquad f_\sigma(x) = \sum_i x_i^2 + d\,\sigma^2
    """
    d = _dim(dim)
    return Objective(
        "bowl",
        d,
        lambda x: np.sum(x**2, axis=-1),
        grad=lambda x: 2 * x,
        smoothed=lambda x, s: np.sum(x**2, axis=-1) + d * s**2,
        smoothed_grad=lambda x, s: 2 * x + 0 * np.asarray(s)[..., None],
        bounds=[[-4.5, 4.5]] * d,
        minimizers=np.zeros((1, d)),
        formula=r"\sum_i x_i^2",
        convex=True,
        description="convex and perfectly conditioned: the easy case",
    )


def _ripple_grad(x):
    r = np.sqrt(np.sum(x**2, axis=-1))
    safe = np.where(r > 0, r, 1.0)
    # The cone tip r = 0 is a local minimum; 0 is a subgradient there.
    return np.where((r > 0)[..., None], (np.cos(r) / safe)[..., None] * x, 0.0)


def ripple() -> Objective:
    r"""Concentric ripples with a cone-shaped local minimum at the origin.

    .. math::

        f(x, y) = \sin\left(\sqrt{x^2 + y^2}\right)

    The global minimum :math:`-1` is attained on the whole circle
    :math:`r = 3\pi/2`; ``minimizers`` lists eight points of it. The origin is
    a local minimum (value 0) where the gradient is undefined (a cone tip;
    ``grad`` returns the subgradient 0 there).
    """
    r0 = 1.5 * math.pi
    angles = np.arange(8) * math.pi / 4
    return Objective(
        "ripple",
        2,
        lambda x: np.sin(np.sqrt(np.sum(x**2, axis=-1))),
        grad=_ripple_grad,
        bounds=[[-6, 6], [-6, 6]],
        minimizers=np.stack([r0 * np.cos(angles), r0 * np.sin(angles)], axis=-1),
        formula=r"\sin\sqrt{x^2 + y^2}",
        description="a local minimum at the centre, global minima on a ring",
    )


def monkey_saddle() -> Objective:
    r"""The monkey saddle, a degenerate critical point with three valleys.

    .. math::

        f(x, y) = x^3 - 3 x y^2

    (The homework writes :math:`x^3 + 3xy^2`, which has no saddle: it is
    :math:`x (x^2 + 3y^2)`, one valley only.) Harmonic, so Gaussian smoothing
    leaves it unchanged: :math:`f_\sigma = f`. Unbounded below: no minimizer.
    """

    def value(x):
        return x[..., 0] ** 3 - 3 * x[..., 0] * x[..., 1] ** 2

    def grad(x):
        return _stack(3 * x[..., 0] ** 2 - 3 * x[..., 1] ** 2, -6 * x[..., 0] * x[..., 1])

    return Objective(
        "monkey_saddle",
        2,
        value,
        grad=grad,
        smoothed=lambda x, s: value(x) + 0 * s,
        smoothed_grad=lambda x, s: grad(x) + 0 * np.asarray(s)[..., None],
        bounds=[[-2, 2], [-2, 2]],
        formula=r"x^3 - 3xy^2",
        description="a flat degenerate saddle: zero gradient and zero Hessian at 0",
    )


def matyas() -> Objective:
    r"""The Matyas "taco": a convex, ill-conditioned quadratic.

    .. math::

        f(x, y) = 0.26 (x^2 + y^2) - 0.48 x y,
        \qquad f_\sigma = f + 0.52\,\sigma^2

    Hessian eigenvalues 0.04 and 1.0: condition number 25.
    """

    def value(x):
        return 0.26 * (x[..., 0] ** 2 + x[..., 1] ** 2) - 0.48 * x[..., 0] * x[..., 1]

    def grad(x):
        return _stack(0.52 * x[..., 0] - 0.48 * x[..., 1], 0.52 * x[..., 1] - 0.48 * x[..., 0])

    return Objective(
        "matyas",
        2,
        value,
        grad=grad,
        smoothed=lambda x, s: value(x) + 0.52 * s**2,
        smoothed_grad=lambda x, s: grad(x) + 0 * np.asarray(s)[..., None],
        bounds=[[-5, 5], [-5, 5]],
        minimizers=[[0.0, 0.0]],
        formula=r"0.26(x^2 + y^2) - 0.48xy",
        convex=True,
        description="convex but ill-conditioned: a long flat valley",
    )


def _easom_factor(m, s):
    r"""``E[cos(u) exp(-(u - pi)^2)]`` for ``u ~ N(m, s^2)`` and its ``d/dm``.

    The Gaussian weight times the Gaussian density is a Gaussian in ``u``, so
    with :math:`q = 1 + 2 s^2`

    .. math::

        F(m, s) = \frac{1}{\sqrt q}\, e^{-(m - \pi)^2 / q - s^2 / (2q)} \cos c,
        \qquad c = \frac{m + 2\pi s^2}{q},

        \partial_m F = -\frac{1}{q\sqrt q}\, e^{-(m - \pi)^2 / q - s^2 / (2q)}
        \big(2 (m - \pi) \cos c + \sin c\big).

    Every term is a product of bounded factors: no cancellation at any
    :math:`s \ge 0` (at ``s = 0`` it is the plain factor).
    """
    s2 = np.asarray(s, dtype=float) ** 2
    q = 1 + 2 * s2
    c = (m + 2 * math.pi * s2) / q
    amp = np.exp(-((m - math.pi) ** 2) / q - 0.5 * s2 / q) / np.sqrt(q)
    return amp * np.cos(c), -amp / q * (2 * (m - math.pi) * np.cos(c) + np.sin(c))


def _easom_smoothed(x, s):
    fx, _ = _easom_factor(x[..., 0], s)
    fy, _ = _easom_factor(x[..., 1], s)
    return -fx * fy


def _easom_smoothed_grad(x, s):
    fx, dx = _easom_factor(x[..., 0], s)
    fy, dy = _easom_factor(x[..., 1], s)
    return _stack(-dx * fy, -fx * dy)


def easom() -> Objective:
    r"""Easom: a flat plateau with one narrow deep well at :math:`(\pi, \pi)`.

    .. math::

        f(x, y) = -\cos x \cos y \, e^{-(x - \pi)^2 - (y - \pi)^2}

    Exact smoothing factorizes into two 1-D Gaussian integrals of
    :math:`\cos u \, e^{-(u-\pi)^2}`, each a Gaussian in closed form (see
    ``_easom_factor``), accurate for every :math:`\sigma \ge 0`.
    """
    return Objective(
        "easom",
        2,
        lambda x: _easom_smoothed(x, 0.0),
        grad=lambda x: _easom_smoothed_grad(x, 0.0),
        smoothed=_easom_smoothed,
        smoothed_grad=_easom_smoothed_grad,
        bounds=[[-1, 7], [-1, 7]],
        minimizers=[[math.pi, math.pi]],
        formula=r"-\cos x \cos y\, e^{-(x-\pi)^2 - (y-\pi)^2}",
        description="a flat plateau hiding one narrow well",
    )


# nightmare: weighted Gaussian bumps w * exp(-|A (x - c)|^2 / (2 tau^2)).
# (center, tau^2, weight, which coordinates) for each term.
_NM_TERMS = (
    ((-2.0, 3.0), 10.0, -1.0, (0, 1)),  # a wide, deep well
    ((2.0, -3.0), 10.0, 1.0, (0, 1)),  # a wide hill opposite it
    ((-3.0, -0.5), 1 / 12, -0.08, (0, 1)),  # a tiny sharp pit
    ((3.0, 0.5), 2.5, -0.75, (0, 1)),  # a lone well on the right: a trap
    ((-3.0, -0.5), 1.0, -0.75, (0, 1)),  # a well that deepens the wide one
    ((None, -1.0), 0.25, 1.0, (1,)),  # the ridge along y = -1
)


def _nightmare_smoothed(x, s, want_grad=False):
    s2 = np.asarray(s, dtype=float) ** 2
    val = 0.0
    grad = np.zeros(x.shape)
    for center, tau2, weight, coords in _NM_TERMS:
        c = np.array([center[i] for i in coords])
        diff = x[..., list(coords)] - c
        var = tau2 + s2
        # Gaussian convolved with a Gaussian: variances add, height shrinks.
        scale = (tau2 / var) ** (len(coords) / 2)
        bump = weight * scale * np.exp(-0.5 * np.sum(diff**2, axis=-1) / var)
        val = val + bump
        if want_grad:
            grad[..., list(coords)] += (-bump / var)[..., None] * diff
    return grad if want_grad else val


def nightmare() -> Objective:
    r"""The lecture's "nightmare": Gaussian wells, a hill and a ridge.

    .. math::

        f(\theta) = -e^{-|\theta - c|^2/20} + e^{-|\theta + c|^2/20}
        - 0.08\,e^{-6|\theta + c'|^2}
        - 0.75\,e^{-|\theta - c'|^2/5} - 0.75\,e^{-|\theta + c'|^2/2}
        + e^{-2(\theta_2 + 1)^2}

    with :math:`c = (-2, 3)` and :math:`c' = (3, 0.5)`. The source's third term
    is garbled; we use the squared distance so the function is smooth. Every
    term is a Gaussian bump, so the smoothing is exact: each bump's variance
    :math:`\tau^2` becomes :math:`\tau^2 + \sigma^2` and its height is scaled
    by :math:`(\tau^2 / (\tau^2 + \sigma^2))^{k/2}`. The global minimum,
    about :math:`-1.0085` at :math:`(-3.026, 0.254)`, is where the wide well
    and the well at :math:`-c'` overlap; the well at :math:`c'` is a trap.
    """
    return Objective(
        "nightmare",
        2,
        lambda x: _nightmare_smoothed(x, 0.0),
        grad=lambda x: _nightmare_smoothed(x, 0.0, want_grad=True),
        smoothed=_nightmare_smoothed,
        smoothed_grad=lambda x, s: _nightmare_smoothed(x, s, want_grad=True),
        bounds=[[-6, 6], [-6, 6]],
        minimizers=[[-3.026307044646, 0.253712764852]],
        formula=r"\text{Gaussian wells, a hill and a ridge at } y = -1",
        description="false wells, a ridge and a flat far field",
    )


def quartic() -> Objective:
    r"""The pen-and-paper quartic of the lecture.

    .. math::

        f(x) = x^4 - 40x^2 - 100x, \qquad
        f_\sigma(x) = x^4 + (6\sigma^2 - 40)x^2 - 100x + 3\sigma^4 - 40\sigma^2
    """
    return Objective(
        "quartic",
        1,
        lambda x: x[..., 0] ** 4 - 40 * x[..., 0] ** 2 - 100 * x[..., 0],
        grad=lambda x: 4 * x**3 - 80 * x - 100,
        smoothed=lambda x, s: (
            x[..., 0] ** 4 + (6 * s**2 - 40) * x[..., 0] ** 2 - 100 * x[..., 0]
            + 3 * s**4 - 40 * s**2
        ),
        smoothed_grad=lambda x, s: 4 * x**3 + 2 * (6 * np.asarray(s)[..., None] ** 2 - 40) * x - 100,
        bounds=[[-6, 6]],
        minimizers=[[5.0]],
        formula=r"x^4 - 40x^2 - 100x",
        description="a double well, one side deeper",
    )


def wiggly_parabola() -> Objective:
    r"""A parabola with fast wiggles: many shallow local minima.

    .. math::

        f(x) = x^2 + 0.5 \sin(30x) - 0.2, \qquad
        f_\sigma(x) = x^2 + \sigma^2 + 0.5 \sin(30x)\, e^{-450\sigma^2} - 0.2
    """
    return Objective(
        "wiggly_parabola",
        1,
        lambda x: x[..., 0] ** 2 + 0.5 * np.sin(30 * x[..., 0]) - 0.2,
        grad=lambda x: 2 * x + 15 * np.cos(30 * x),
        smoothed=lambda x, s: (
            x[..., 0] ** 2 + s**2 + 0.5 * np.sin(30 * x[..., 0]) * _damp(s, 900) - 0.2
        ),
        smoothed_grad=lambda x, s: 2 * x + 15 * np.cos(30 * x) * _damp(np.asarray(s)[..., None], 900),
        bounds=[[-1.5, 1.5]],
        minimizers=[[-0.052128194829]],
        formula=r"x^2 + 0.5\sin(30x) - 0.2",
        description="a parabola with many shallow wiggles",
    )


def _step_smoothed(x, s):
    s = np.asarray(s, dtype=float)
    t = x[..., 0]
    safe = np.where(s > 0, s, 1.0)
    return np.where(s > 0, _norm_cdf(t / safe), (t > 0).astype(float))


def _step_smoothed_grad(x, s):
    s = np.asarray(s, dtype=float)
    safe = np.where(s > 0, s, 1.0)
    g = np.where(s > 0, _norm_pdf(x[..., 0] / safe) / safe, 0.0)
    return g[..., None]


def step() -> Objective:
    r"""The unit step, the simplest objective with no useful gradient.

    .. math::

        f(x) = \mathbb{1}[x > 0], \qquad
        f_\sigma(x) = \Phi(x / \sigma), \qquad
        f_\sigma'(x) = \varphi(x / \sigma) / \sigma

    Minimized by every :math:`x \le 0` (no isolated minimizer).
    """
    return Objective(
        "step",
        1,
        lambda x: (x[..., 0] > 0).astype(float),
        smoothed=_step_smoothed,
        smoothed_grad=_step_smoothed_grad,
        bounds=[[-1, 1]],
        formula=r"\mathbb{1}[x > 0]",
        smooth=False,
        convex=False,
        no_grad=(
            "step has no gradient: it is zero for x != 0 and undefined at the jump. "
            "Its smoothing has one: use step.smoothed_grad(x, sigma)."
        ),
        description="a jump: zero gradient everywhere it exists",
    )


def _rosen_smoothed(x, s):
    s2 = np.asarray(s, dtype=float)[..., None] ** 2
    a, b = x[..., 1:], x[..., :-1]
    # E (a + s z' - (b + s z)^2)^2 = (a - b^2 - s^2)^2 + s^2 + 4 b^2 s^2 + 2 s^4
    inner = (a - b**2 - s2) ** 2 + s2 + 4 * b**2 * s2 + 2 * s2**2
    return np.sum(100 * inner + (1 - b) ** 2 + s2, axis=-1)


def _rosen_smoothed_grad(x, s):
    s2 = np.asarray(s, dtype=float)[..., None] ** 2
    a, b = x[..., 1:], x[..., :-1]
    r = a - b**2 - s2
    g = np.zeros(np.broadcast_shapes(x.shape, s2.shape[:-1] + (1,)))
    g[..., 1:] += 200 * r
    g[..., :-1] += 100 * (-4 * b * r + 8 * b * s2) - 2 * (1 - b)
    return g


def rosenbrock(dim: int = 2) -> Objective:
    r"""Rosenbrock's banana valley.

    .. math::

        f(x) = \sum_{i=1}^{d-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2

    A polynomial, so its smoothing is exact (Gaussian moments up to order 4).
    """
    d = _dim(dim, minimum=2)
    return Objective(
        "rosenbrock",
        d,
        lambda x: _rosen_smoothed(x, 0.0),
        grad=lambda x: _rosen_smoothed_grad(x, 0.0),
        smoothed=_rosen_smoothed,
        smoothed_grad=_rosen_smoothed_grad,
        bounds=[[-2, 2]] + [[-1, 3]] * (d - 1),
        minimizers=np.ones((1, d)),
        formula=r"\sum_i 100(x_{i+1} - x_i^2)^2 + (1 - x_i)^2",
        description="a curved narrow valley",
    )


def rastrigin(dim: int = 2) -> Objective:
    r"""Rastrigin: a bowl with a regular lattice of local minima.

    .. math::

        f(x) = 10 d + \sum_i \left(x_i^2 - 10 \cos(2\pi x_i)\right), \qquad
        f_\sigma(x) = 10 d + \sum_i \left(x_i^2 + \sigma^2
        - 10 \cos(2\pi x_i)\, e^{-2\pi^2\sigma^2}\right)
    """
    d = _dim(dim)

    def smoothed(x, s):
        s = np.asarray(s, dtype=float)
        damp = _damp(s, 4 * math.pi**2)[..., None]
        return 10 * d + np.sum(x**2 + s[..., None] ** 2 - 10 * np.cos(2 * math.pi * x) * damp, axis=-1)

    def smoothed_grad(x, s):
        damp = _damp(np.asarray(s, dtype=float), 4 * math.pi**2)[..., None]
        return 2 * x + 20 * math.pi * np.sin(2 * math.pi * x) * damp

    return Objective(
        "rastrigin",
        d,
        lambda x: smoothed(x, 0.0),
        grad=lambda x: smoothed_grad(x, 0.0),
        smoothed=smoothed,
        smoothed_grad=smoothed_grad,
        bounds=[[-5.12, 5.12]] * d,
        minimizers=np.zeros((1, d)),
        formula=r"10d + \sum_i x_i^2 - 10\cos(2\pi x_i)",
        description="a bowl under an egg-crate of local minima",
    )


def ackley(dim: int = 2) -> Objective:
    r"""Ackley: a nearly flat outer region around a sharp central funnel.

    .. math::

        f(x) = -20\, e^{-0.2 \sqrt{\frac1d \sum_i x_i^2}}
        - e^{\frac1d \sum_i \cos(2\pi x_i)} + 20 + e

    Not differentiable at the origin (``grad`` returns 0 there, a subgradient).
    """
    d = _dim(dim)

    def value(x):
        r = np.sqrt(np.mean(x**2, axis=-1))
        c = np.mean(np.cos(2 * math.pi * x), axis=-1)
        return -20 * np.exp(-0.2 * r) - np.exp(c) + 20 + math.e

    def grad(x):
        r = np.sqrt(np.mean(x**2, axis=-1))
        c = np.mean(np.cos(2 * math.pi * x), axis=-1)
        safe = np.where(r > 0, r, 1.0)
        g_r = np.where(r > 0, 4 * np.exp(-0.2 * r) / (d * safe), 0.0)[..., None] * x
        g_c = np.exp(c)[..., None] * (2 * math.pi / d) * np.sin(2 * math.pi * x)
        return g_r + g_c

    return Objective(
        "ackley",
        d,
        value,
        grad=grad,
        bounds=[[-5, 5]] * d,
        minimizers=np.zeros((1, d)),
        formula=r"-20e^{-0.2\sqrt{\overline{x^2}}} - e^{\overline{\cos 2\pi x}} + 20 + e",
        description="an egg-crate on a funnel, flat far from the centre",
    )


def _dim(dim, minimum=1):
    from ._checks import count

    return count(dim, "dim", minimum)


_GALLERY = {
    "wavy_bowl": wavy_bowl,
    "quantized_wavy_bowl": quantized_wavy_bowl,
    "sinc": sinc,
    "floored_sinc": floored_sinc,
    "bowl": bowl,
    "ripple": ripple,
    "monkey_saddle": monkey_saddle,
    "matyas": matyas,
    "easom": easom,
    "nightmare": nightmare,
    "quartic": quartic,
    "wiggly_parabola": wiggly_parabola,
    "step": step,
    "rosenbrock": rosenbrock,
    "rastrigin": rastrigin,
    "ackley": ackley,
}
_SCALABLE = {"bowl", "rosenbrock", "rastrigin", "ackley"}


def names() -> list[str]:
    """The names of the gallery's objectives, in gallery order.

    >>> "wavy_bowl" in names()
    True
    """
    return list(_GALLERY)


def get(name: str, dim: int | None = None) -> Objective:
    """Build the gallery objective ``name`` (``dim`` for the scalable ones).

    Parameters
    ----------
    name : str
        One of :func:`names`.
    dim : int, optional
        Dimension for ``bowl``, ``rosenbrock``, ``rastrigin`` and ``ackley``
        (default 2); the other objectives have a fixed dimension.

    Examples
    --------
    >>> get("rastrigin", dim=10).dim
    10
    """
    if not isinstance(name, str) or name not in _GALLERY:
        raise ValueError(
            f"'name' must be one of the gallery's objectives {names()}, got {name!r}."
        )
    if dim is None:
        return _GALLERY[name]()
    if name not in _SCALABLE:
        fixed = _GALLERY[name]().dim
        if dim != fixed:
            raise ValueError(
                f"'dim' cannot be set for {name!r}, which has d = {fixed}; "
                f"only {sorted(_SCALABLE)} take a dimension."
            )
        return _GALLERY[name]()
    return _GALLERY[name](dim)
