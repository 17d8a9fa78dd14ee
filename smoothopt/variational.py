r"""Variational optimization: learn the search distribution, not just a point.

Instead of minimizing :math:`f` over :math:`x`, minimize over the parameters of
a Gaussian search distribution

.. math::

    J(\mu, \Sigma) = \mathbb{E}_{x \sim \mathcal{N}(\mu, \Sigma)} f(x)
    = \mathbb{E}_{z \sim \mathcal{N}(0, I)} f(\mu + A z), \qquad \Sigma = A A^\top,

which is never below :math:`\min f` and reaches it as the distribution
collapses onto a global minimizer. Three shapes of :math:`\Sigma`
(``covariance``): ``"isotropic"`` (:math:`\sigma^2 I`), ``"diagonal"``
(:math:`\operatorname{diag}(\sigma_i^2)`) and ``"full"``.

* :func:`score_gradients`: the score-function (log-derivative) estimate of
  :math:`\nabla J` with respect to :math:`\mu` and :math:`\log\sigma` (or the
  log-Cholesky factor), needing only values of ``f``;
* :func:`variational`: plain gradient descent on :math:`J` with any
  :mod:`smoothopt.optimizers` update rule;
* :func:`nes`: natural evolution strategies (xNES, and SNES for the diagonal
  case) with rank-based :func:`utilities`.

Scales are kept positive by construction: :math:`\log\sigma` is the parameter,
a full covariance is :math:`L L^\top` with a Cholesky factor whose diagonal is
:math:`e^{\theta_{ii}}` (:func:`variational`) or :math:`A A^\top` with
:math:`A` updated by a matrix exponential (:func:`nes`). No clipping is needed;
an optional ``sigma_floor`` keeps every scale above a minimum.

>>> import numpy as np
>>> from smoothopt import objectives, variational
>>> res = variational.nes(objectives.get("bowl"), np.full((20, 2), 3.0), steps=100, n=10, rng=0)
>>> res.x.shape, res.sigma_path.shape, bool(np.all(np.abs(res.x) < 0.01))
((20, 2), (101, 20), True)
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_points, as_rng, callable_arg, checked_values, count, nonnegative, positive
from .driver import Result, drive, final_values, make_result, resume_rng
from .optimizers import Optimizer

__all__ = [
    "VariationalResult",
    "score_gradients",
    "utilities",
    "variational",
    "nes",
    "covariance_matrix",
    "NES",
    "Variational",
    "SearchState",
]

_KINDS = ("isotropic", "diagonal", "full")


@dataclass(eq=False, repr=False)
class VariationalResult(Result):
    """A :class:`~smoothopt.Result` for a search distribution, with its scale.

    ``x`` and ``path`` are the means :math:`\\mu`; ``fun`` is ``f(mu)``.

    Attributes
    ----------
    sigma : ndarray
        The final scale: shape ``(...)`` (isotropic :math:`\\sigma`),
        ``(..., d)`` (diagonal :math:`\\sigma_i`) or ``(..., d, d)`` (a factor
        :math:`A` with :math:`\\Sigma = A A^\\top`).
    sigma_path : ndarray
        The scale after every step: ``(steps + 1,)`` followed by the shape of ``sigma``.
    covariance : str
        ``"isotropic"``, ``"diagonal"`` or ``"full"``.
    """

    sigma: np.ndarray = None
    sigma_path: np.ndarray = None
    covariance: str = "isotropic"

    @property
    def cov_path(self) -> Array:
        """The covariance :math:`\\Sigma` after every step, shape ``(steps + 1, ..., d, d)``."""
        return covariance_matrix(self.sigma_path, self.covariance, self.path.shape[-1])


def covariance_matrix(sigma: ArrayLike, covariance: str, d: int) -> Array:
    r"""The covariance matrix :math:`\Sigma` of a scale ``sigma``, shape ``(..., d, d)``.

    >>> covariance_matrix(np.array([1.0, 2.0]), "diagonal", 2)
    array([[1., 0.],
           [0., 4.]])
    """
    s = np.asarray(sigma, dtype=float)
    if covariance == "isotropic":
        return s[..., None, None] ** 2 * np.eye(d)
    if covariance == "diagonal":
        return s[..., :, None] ** 2 * np.eye(d)
    if covariance == "full":
        return s @ np.swapaxes(s, -1, -2)
    raise ValueError(f"'covariance' must be one of {_KINDS}, got {covariance!r}.")


# -- input checks -------------------------------------------------------------------
def _kind(covariance):
    if covariance not in _KINDS:
        raise ValueError(f"'covariance' must be one of {_KINDS}, got {covariance!r}.")
    return covariance


def _scale(sigma, covariance, x, name="sigma", factor="cholesky"):
    """``sigma`` broadcast to the batch: (...), (..., d) or (..., d, d).

    For ``"full"``, ``factor`` says what a matrix may be: ``"cholesky"`` (lower
    triangular with a positive diagonal), ``"to_cholesky"`` (any nonsingular
    factor ``A``, replaced by the Cholesky factor of ``A A^T``: the same
    covariance) or ``"any"`` (any nonsingular factor, kept as it is, as NES needs).
    """
    batch, d = x.shape[:-1], x.shape[-1]
    if isinstance(sigma, bool):
        raise TypeError(f"'{name}' must be a number or an array, got bool.")
    try:
        s = np.asarray(sigma, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"'{name}' must be a number or an array, got {type(sigma).__name__}.") from None
    if not np.all(np.isfinite(s)):
        raise ValueError(f"'{name}' must be finite.")
    want = {"isotropic": batch, "diagonal": batch + (d,), "full": batch + (d, d)}[covariance]
    if covariance == "full" and s.ndim == 0:
        s = s * np.eye(d)
    try:
        s = np.broadcast_to(s, want).copy()
    except ValueError:
        raise ValueError(
            f"'{name}' of shape {s.shape} does not fit covariance={covariance!r} with 'mu' of "
            f"shape {x.shape}; pass a number or an array broadcasting to {want}."
        ) from None
    if covariance == "full":
        lower = not np.any(np.triu(s, 1) != 0)
        if lower and np.all(np.diagonal(s, axis1=-2, axis2=-1) > 0):
            return s
        if factor == "cholesky":
            raise ValueError(
                f"'{name}' for covariance='full' must be a lower-triangular Cholesky factor with a "
                "positive diagonal (or a positive number for sigma * I)."
            )
        sign, _ = np.linalg.slogdet(s)
        if np.any(sign == 0):
            raise ValueError(
                f"'{name}' for covariance='full' must be a nonsingular factor A of the covariance "
                "A A^T (or a positive number for sigma * I); it is singular."
            )
        if factor == "to_cholesky":
            return np.linalg.cholesky(s @ np.swapaxes(s, -1, -2))
        return s
    if np.any(s <= 0):
        raise ValueError(f"'{name}' must be positive, got a minimum of {s.min()!r}.")
    return s


def _perturb(s, z, covariance):
    """``A z`` for samples ``z`` of shape (n, ..., d)."""
    if covariance == "isotropic":
        return s[..., None] * z
    if covariance == "diagonal":
        return s * z
    return np.einsum("...ij,k...j->k...i", s, z)


# -- the gradient estimate -----------------------------------------------------------
def score_gradients(f: Fn, mu: ArrayLike, sigma: ArrayLike, *, n: int, rng: Seed,
                    covariance: str = "isotropic", baseline: bool = True) -> tuple[Array, Array]:
    r"""Score-function estimate of the gradient of :math:`J(\mu, \sigma) = \mathbb{E} f(\mu + \sigma z)`.

    With :math:`x = \mu + \sigma z` and :math:`\nabla_\theta \log p(x; \theta)`
    the score of the Gaussian,

    .. math::

        \nabla_\mu J = \frac{1}{\sigma}\,\mathbb{E}\big[f(x)\, z\big], \qquad
        \frac{\partial J}{\partial \log\sigma} = \mathbb{E}\big[f(x)\,(|z|^2 - d)\big]
        \quad\text{(isotropic)},

    :math:`\partial J / \partial \log\sigma_i = \mathbb{E}[f(x)(z_i^2 - 1)]`
    (diagonal), and for :math:`\Sigma = L L^\top` with :math:`L` lower triangular

    .. math::

        \nabla_\mu J = L^{-\top}\,\mathbb{E}\big[f(x)\, z\big], \qquad
        \nabla_L J = \operatorname{tril}\Big(L^{-\top}\,\mathbb{E}\big[f(x)\,(z z^\top - I)\big]\Big).

    For ``"full"`` the diagonal of the returned factor gradient is the
    derivative with respect to :math:`\log L_{ii}` (the log-Cholesky
    parameters). Each sample :math:`f(x_k)` has a baseline :math:`b_k`
    subtracted; ``baseline=True`` uses the leave-one-out mean of the other
    samples, which does not depend on :math:`z_k` and so keeps the estimate
    unbiased. Cost: ``n`` evaluations per run.

    Parameters
    ----------
    f : callable
    mu : array_like, shape (..., d)
    sigma : float or array_like
        ``(...)`` for isotropic, ``(..., d)`` for diagonal, a lower-triangular
        Cholesky factor ``(..., d, d)`` for full (a number means :math:`\sigma I`).
    n : int
        Samples per run (at least 2 with the baseline).
    rng : numpy.random.Generator or int
    covariance : {"isotropic", "diagonal", "full"}
    baseline : bool

    Returns
    -------
    g_mu : ndarray, shape (..., d)
    g_sigma : ndarray
        Shape of ``sigma`` as broadcast: ``(...)``, ``(..., d)`` or ``(..., d, d)``.

    Examples
    --------
    >>> f = lambda p: (p**2).sum(-1)   # J = |mu|^2 + d sigma^2
    >>> g_mu, g_log_sigma = score_gradients(f, [1.0, -2.0], 0.5, n=400_000, rng=0)
    >>> np.round(g_mu, 1), round(float(g_log_sigma), 1)   # (2 mu, 2 d sigma^2)
    (array([ 2., -4.]), 1.0)
    """
    callable_arg(f, "f")
    covariance = _kind(covariance)
    mu = as_points(mu, "mu", getattr(f, "dim", None), finite=True)
    s = _scale(sigma, covariance, mu)
    n = count(n, "n", minimum=2 if baseline else 1)
    rng = as_rng(rng)
    z = rng.standard_normal((n,) + mu.shape)
    with np.errstate(all="ignore"):
        fv = np.asarray(f(mu + _perturb(s, z, covariance)), dtype=float)
    c = fv - (fv.sum(axis=0) - fv) / (n - 1) if baseline else fv
    return _gradients(c, z, s, covariance)


def _gradients(c, z, s, covariance):
    """Score-function gradients from centred values ``c`` (n, ...) and samples ``z``."""
    n, d = z.shape[0], z.shape[-1]
    cz = np.einsum("k...,k...d->...d", c, z) / n  # E[c z]
    if covariance == "isotropic":
        sq = np.sum(z**2, axis=-1) - d
        return cz / s[..., None], np.mean(c * sq, axis=0)
    if covariance == "diagonal":
        return cz / s, np.einsum("k...,k...d->...d", c, z**2 - 1) / n
    W = np.swapaxes(np.linalg.inv(s), -1, -2)  # L^{-T}
    S = np.einsum("k...,k...i,k...j->...ij", c, z, z) / n - np.mean(c, axis=0)[..., None, None] * np.eye(d)
    g_L = np.tril(W @ S)
    g_mu = np.einsum("...ij,...j->...i", W, cz)
    # log-Cholesky: dJ/dlog L_ii = L_ii dJ/dL_ii
    idx = np.arange(d)
    g_L[..., idx, idx] *= s[..., idx, idx]
    return g_mu, g_L


# -- rank-based utilities --------------------------------------------------------------
def utilities(n: int) -> Array:
    r"""Rank-based fitness shaping of NES (Wierstra et al., 2014), best sample first.

    .. math::

        u_k = \frac{\max\big(0, \log(\tfrac{n}{2} + 1) - \log k\big)}
        {\sum_{j=1}^{n} \max\big(0, \log(\tfrac{n}{2} + 1) - \log j\big)} - \frac1n,
        \qquad k = 1, \dots, n

    The weights sum to zero (a built-in baseline), depend on ``f`` only through
    the ranking of the samples (so any increasing transformation of ``f``
    leaves the search unchanged, and a floor only creates ties) and give the
    worse half nothing but the :math:`-1/n`.

    >>> u = utilities(4)
    >>> u.round(3), round(float(u.sum()), 12)
    (array([ 0.48,  0.02, -0.25, -0.25]), 0.0)
    """
    n = count(n, "n", minimum=2)
    k = np.arange(1, n + 1)
    raw = np.maximum(0.0, math.log(n / 2 + 1) - np.log(k))
    return raw / raw.sum() - 1.0 / n


# -- the two optimizers, as ask/tell objects ----------------------------------------------
def _floor(s, covariance, sigma_floor, factor="any"):
    """Raise every scale (every singular value of a factor) to at least ``sigma_floor``."""
    if sigma_floor <= 0:
        return s
    if covariance != "full":
        return np.maximum(s, sigma_floor)
    U, sv, Vt = np.linalg.svd(s)
    if np.all(sv >= sigma_floor):
        return s
    a = U @ (np.maximum(sv, sigma_floor)[..., None] * Vt)
    if factor == "cholesky":  # the same covariance, as a Cholesky factor again
        return np.linalg.cholesky(a @ np.swapaxes(a, -1, -2))
    return a


class SearchState(NamedTuple):
    """Where an NES or variational run stands (``Result.state``; pass back as ``state=``)."""

    t: int  # steps taken
    mu: np.ndarray  # the means, (..., d)
    sigma: np.ndarray  # the scales
    optimizer: Any  # the optimizer's state (variational), None for NES
    diverged_at: np.ndarray
    rng: Optional[np.random.Generator]


class _Search:
    """What NES and variational optimization share: a Gaussian per run, sampled by ``ask``."""

    _factor = "any"

    def __init__(self, mu0, *, n, rng, sigma0, covariance, sigma_floor, max_norm, state, dim,
                 min_n=2):
        if state is not None and not isinstance(state, SearchState):
            raise TypeError(f"'state' must be a SearchState (res.state), got {type(state).__name__}.")
        self.covariance = _kind(covariance)
        if mu0 is None and state is not None:
            mu0 = state.mu
        mu = as_points(mu0, "mu0", dim, finite=state is None)
        self.n = count(n, "n", minimum=min_n)
        self._rng = resume_rng(rng, state)
        if self._rng is None:
            as_rng(None)  # raises: 'rng' is required
        self.sigma_floor = nonnegative(sigma_floor, "sigma_floor")
        self.max_norm = positive(max_norm, "max_norm")
        self.batch, self.d = mu.shape[:-1], mu.shape[-1]
        self._asked = None
        if state is None:
            self.t = 0
            self.mu = mu
            self.sigma = _scale(sigma0, self.covariance, mu, "sigma0", factor=self._factor)
            self.diverged_at = np.full(self.batch, -1)
        else:
            if np.shape(state.mu) != mu.shape:
                raise ValueError(f"'mu0' has shape {mu.shape} but 'state' is for shape {np.shape(state.mu)}.")
            self.t, self.mu = int(state.t), mu
            self.sigma = np.array(state.sigma)
            self.diverged_at = np.array(state.diverged_at)
        self._tail = (None,) * (self.sigma.ndim - len(self.batch))

    x = property(lambda self: self.mu)
    fun = None

    @property
    def alive(self):
        return self.diverged_at < 0

    @property
    def state(self) -> SearchState:
        return SearchState(self.t, self.mu.copy(), self.sigma.copy(), copy.deepcopy(self._opt_state()),
                           self.diverged_at.copy(), copy.deepcopy(self._rng))

    def _opt_state(self):
        return None

    def ask(self) -> Array:
        """``n`` samples per run, shape ``(n, ..., d)``: :math:`x_k = \\mu + A z_k`."""
        z = self._rng.standard_normal((self.n,) + self.mu.shape)
        pts = self.mu + _perturb(self.sigma, z, self.covariance)
        self._asked, self._z = pts, z
        return pts

    def _samples(self, points):
        """The standard normal ``z`` behind ``points``: from the last ask, or solved for."""
        if self._asked is None:
            raise RuntimeError("tell() must follow ask(): call ask() for the points first.")
        if points is self._asked:
            return self._z
        p = as_points(points, "points")
        if p.shape != self._asked.shape:
            raise ValueError(f"'points' has shape {p.shape}; ask() gave {self._asked.shape}.")
        diff = p - self.mu
        if self.covariance == "isotropic":
            return diff / self.sigma[..., None]
        if self.covariance == "diagonal":
            return diff / self.sigma
        return np.linalg.solve(self.sigma, diff[..., None])[..., 0]

    def tell(self, points: ArrayLike, values: ArrayLike) -> None:
        """Take the values at ``points`` (from the last :meth:`ask`), shape ``(n, ...)``, and step."""
        z = self._samples(points)
        fv = np.asarray(values, dtype=float)
        if fv.shape != (self.n,) + self.batch:
            raise ValueError(
                f"'values' has shape {fv.shape}; tell() needs one value per point asked, shape "
                f"{(self.n,) + self.batch}."
            )
        self._asked = None
        with np.errstate(all="ignore"):
            mu_new, s_new = self._step(z, fv)
            batch = self.batch
            flat_s = s_new.reshape(batch + (int(np.prod(s_new.shape[len(batch):])),))
            bad = ~(np.all(np.abs(mu_new) <= self.max_norm, axis=-1)
                    & np.all(np.isfinite(flat_s), axis=-1)
                    & np.all(np.abs(flat_s) <= self.max_norm, axis=-1))
            alive = self.alive
            self.t += 1
            self.diverged_at[alive & bad] = self.t
            alive = alive & ~bad
            self.mu = np.where(alive[..., None], mu_new, self.mu)
            self.sigma = np.where(alive[(...,) + self._tail], s_new, self.sigma)

    def _record(self):
        alive = self.alive
        return {"path": np.where(alive[..., None], self.mu, np.nan),
                "sigma_path": np.where(alive[(...,) + self._tail], self.sigma, np.nan)}


class NES(_Search):
    r"""Natural evolution strategies as an ask/tell object (see :func:`nes`, which is this loop).

    ``ask()`` returns ``n`` samples per run, shape ``(n, ..., d)``;
    ``tell(points, values)`` takes their values, shape ``(n, ...)``, and updates
    each run's mean and scale. With the same ``rng``, :func:`nes` and this loop
    give the same runs. ``mean`` (also ``x``) and ``sigma`` are the current
    distribution; ``state`` continues it.

    Parameters
    ----------
    mu0 : array_like, shape (d,) or (..., d)
    n, rng, sigma0, covariance, lr_mu, lr_sigma, sigma_floor, max_norm
        As for :func:`nes`.
    state : SearchState, optional
        ``res.state`` of an earlier run, to continue it (then ``mu0`` may be ``None``).

    Examples
    --------
    >>> es = NES([3.0, -2.0], n=10, rng=0, sigma0=1.0)
    >>> for _ in range(100):
    ...     pts = es.ask()                                  # (10, 2)
    ...     es.tell(pts, [float(p @ p) for p in pts])       # one point at a time
    >>> bool(np.abs(es.mean).max() < 0.01)
    True
    """

    def __init__(self, mu0: ArrayLike | None, *, n: int, rng: Seed | None = None,
                 sigma0: ArrayLike = 1.0, covariance: str = "isotropic", lr_mu: float = 1.0,
                 lr_sigma: float | None = None, sigma_floor: float = 0.0, max_norm: float = 1e8,
                 state: SearchState | None = None, dim: int | None = None) -> None:
        super().__init__(mu0, n=n, rng=rng, sigma0=sigma0, covariance=covariance,
                         sigma_floor=sigma_floor, max_norm=max_norm, state=state, dim=dim)
        d = self.d
        self.lr_mu = positive(lr_mu, "lr_mu")
        if lr_sigma is None:
            lr_sigma = (3 + math.log(d)) / (5 * math.sqrt(d))
            if self.covariance == "full":
                lr_sigma = 3 * (3 + math.log(d)) / (5 * d * math.sqrt(d))
        self.lr_sigma = positive(lr_sigma, "lr_sigma")
        self._u = utilities(self.n)

    mean = property(lambda self: self.mu)

    def _step(self, z, fv):
        d, covariance, s, mu = self.d, self.covariance, self.sigma, self.mu
        w = _rank_weights(fv, self._u)
        g_delta = np.einsum("k...,k...d->...d", w, z)
        mu_new = mu + self.lr_mu * _perturb(s, g_delta[None], covariance)[0]
        if covariance == "isotropic":
            g_sigma = np.einsum("k...,k...->...", w, np.sum(z**2, axis=-1) - d) / d
            s_new = s * np.exp(0.5 * self.lr_sigma * g_sigma)
        elif covariance == "diagonal":
            g_sigma = np.einsum("k...,k...d->...d", w, z**2 - 1)
            s_new = s * np.exp(0.5 * self.lr_sigma * g_sigma)
        else:
            G = (np.einsum("k...,k...i,k...j->...ij", w, z, z)
                 - np.sum(w, axis=0)[..., None, None] * np.eye(d))
            ev, V = np.linalg.eigh(0.5 * self.lr_sigma * G)  # expm of a symmetric matrix
            s_new = s @ (V * np.exp(ev)[..., None, :]) @ np.swapaxes(V, -1, -2)
        return mu_new, _floor(s_new, covariance, self.sigma_floor)


class Variational(_Search):
    r"""Variational optimization as an ask/tell object (see :func:`variational`, which is this loop).

    Parameters
    ----------
    mu0 : array_like, shape (d,) or (..., d)
    optimizer : Optimizer
    n, rng, sigma0, covariance, baseline, sigma_floor, max_norm
        As for :func:`variational`.
    state : SearchState, optional
    """

    _factor = "to_cholesky"

    def __init__(self, mu0: ArrayLike | None, optimizer: Optimizer, *, n: int,
                 rng: Seed | None = None, sigma0: ArrayLike = 1.0, covariance: str = "isotropic",
                 baseline: bool = True, sigma_floor: float = 0.0, max_norm: float = 1e8,
                 state: SearchState | None = None, dim: int | None = None) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                "'optimizer' must be a smoothopt.optimizers.Optimizer, e.g. "
                f"optimizers.adam(0.05); got {type(optimizer).__name__}."
            )
        super().__init__(mu0, n=n, rng=rng, sigma0=sigma0, covariance=covariance,
                         sigma_floor=sigma_floor, max_norm=max_norm, state=state, dim=dim)
        self.optimizer, self.baseline = optimizer, baseline
        if state is None or state.optimizer is None:
            self._opt = optimizer.init(_pack(self.mu, self.sigma, self.covariance))
        else:
            self._opt = copy.deepcopy(state.optimizer)

    mean = property(lambda self: self.mu)

    def _opt_state(self):
        return self._opt

    def _step(self, z, fv):
        n, d, covariance, s, mu = self.n, self.d, self.covariance, self.sigma, self.mu
        c = fv - (fv.sum(axis=0) - fv) / (n - 1) if self.baseline else fv
        g_mu, g_s = _gradients(c, z, s, covariance)
        u, self._opt = self.optimizer.update(_pack_grad(g_mu, g_s, covariance, d), self._opt)
        mu_new, s_new = _unpack(_pack(mu, s, covariance) + u, covariance, d)
        return mu_new, _floor(s_new, covariance, self.sigma_floor, "cholesky")


def _finish(f, search, rec, nit, stopped, name):
    """The :class:`VariationalResult` of a finished :class:`NES` or :class:`Variational` loop."""
    with np.errstate(all="ignore"):
        fun, failure = final_values(checked_values(f), search.mu)
    message = f"{name}: {nit} steps" + (" (stopped by the callback)" if stopped else "") + failure
    return make_result(f, search.mu.copy(), fun, rec.get("path"), search.diverged_at.copy(),
                       nfev=search.n * nit, njev=0, message=message, nit=nit,
                       reason="non-finite or too large mean or scale", cls=VariationalResult,
                       sigma=search.sigma.copy(), sigma_path=rec.get("sigma_path"),
                       covariance=search.covariance, state=search.state,
                       path_steps=rec.steps_recorded)


def _pack(mu, s, covariance):
    """Parameters as one vector (..., d + p): mean, then log-scales."""
    if covariance == "isotropic":
        return np.concatenate([mu, np.log(s)[..., None]], axis=-1)
    if covariance == "diagonal":
        return np.concatenate([mu, np.log(s)], axis=-1)
    d = mu.shape[-1]
    rows, cols = np.tril_indices(d)
    theta = s[..., rows, cols].copy()
    on_diag = rows == cols
    theta[..., on_diag] = np.log(theta[..., on_diag])
    return np.concatenate([mu, theta], axis=-1)


def _unpack(theta, covariance, d):
    mu, rest = theta[..., :d], theta[..., d:]
    if covariance == "isotropic":
        return mu, np.exp(rest[..., 0])
    if covariance == "diagonal":
        return mu, np.exp(rest)
    rows, cols = np.tril_indices(d)
    vals = np.where(rows == cols, np.exp(rest), rest)
    L = np.zeros(theta.shape[:-1] + (d, d))
    L[..., rows, cols] = vals
    return mu, L


def _pack_grad(g_mu, g_s, covariance, d):
    if covariance == "isotropic":
        return np.concatenate([g_mu, g_s[..., None]], axis=-1)
    if covariance == "diagonal":
        return np.concatenate([g_mu, g_s], axis=-1)
    rows, cols = np.tril_indices(d)
    return np.concatenate([g_mu, g_s[..., rows, cols]], axis=-1)


def variational(f: Fn, mu0: ArrayLike | None, optimizer: Optimizer, *, steps: int, n: int,
                rng: Seed | None, sigma0: ArrayLike = 1.0, covariance: str = "isotropic",
                baseline: bool = True, sigma_floor: float = 0.0, max_norm: float = 1e8,
                record: str | int = "path", state: SearchState | None = None,
                callback: Fn | None = None) -> VariationalResult:
    r"""Variational optimization: gradient descent on :math:`J(\mu, \sigma)` by the score function.

    .. math::

        \theta = (\mu, \log\sigma), \qquad
        \theta_{t+1} = \theta_t + \mathrm{update}\big(\hat\nabla_\theta J(\theta_t)\big)

    with the gradient of :func:`score_gradients` and ``optimizer`` any
    :mod:`smoothopt.optimizers` rule, acting on the mean and the log-scales
    together. The log-scale parameters (:math:`\log\sigma`, :math:`\log\sigma_i`,
    or a Cholesky factor with diagonal :math:`e^{\theta_{ii}}`) keep the
    covariance positive definite whatever the step. Because
    :math:`\nabla_\mu J` carries a factor :math:`1/\sigma`, the steps on
    :math:`\mu` grow as :math:`\sigma` shrinks: a ``sigma_floor`` or an
    adaptive rule (``adam``) tames them.

    Parameters
    ----------
    f : Objective or callable
    mu0 : array_like, shape (d,) or (..., d)
        Initial means; every leading index is an independent run.
    optimizer : Optimizer
        From :mod:`smoothopt.optimizers`, e.g. ``optimizers.adam(0.05)``.
    steps : int
    n : int
        Samples per step; each run costs ``n * steps`` evaluations.
    rng : numpy.random.Generator or int
    sigma0 : float or array_like
        Initial scale (see :func:`score_gradients` for the shapes).
    covariance : {"isotropic", "diagonal", "full"}
    baseline : bool
        Leave-one-out baseline (unbiased, far less variance).
    sigma_floor : float
        Keep every scale (for ``"full"``: every singular value of the factor)
        at least this large; ``0`` for none.
    max_norm : float
        A run whose mean or scale leaves ``|.| <= max_norm`` is diverged.
    record, state, callback
        As for :func:`smoothopt.minimize` (``record`` also applies to ``sigma_path``).

    Returns
    -------
    VariationalResult
        ``path`` holds the means, ``sigma_path`` the scales; ``nfev = n * steps``.
        :class:`Variational` is the same method as an ask/tell object.

    Examples
    --------
    >>> from smoothopt import objectives, optimizers
    >>> res = variational(objectives.get("bowl"), [[2.0, -1.0]], optimizers.adam(0.1),
    ...                   steps=300, n=20, rng=0, sigma0=0.5)
    >>> bool(np.abs(res.x).max() < 0.1), bool(res.sigma[0] < 0.1)
    (True, True)
    """
    callable_arg(f, "f")
    search = Variational(mu0, optimizer, n=n, rng=rng, sigma0=sigma0, covariance=covariance,
                         baseline=baseline, sigma_floor=sigma_floor, max_norm=max_norm,
                         state=state, dim=getattr(f, "dim", None))
    rec, nit, stopped, _ = drive(f, search, steps, record, callback, has_values=False)
    return _finish(f, search, rec, nit, stopped, "variational")


def nes(f: Fn, mu0: ArrayLike | None, *, steps: int, n: int, rng: Seed | None,
        sigma0: ArrayLike = 1.0, covariance: str = "isotropic", lr_mu: float = 1.0,
        lr_sigma: float | None = None, sigma_floor: float = 0.0, max_norm: float = 1e8,
        record: str | int = "path", state: SearchState | None = None,
        callback: Fn | None = None) -> VariationalResult:
    r"""Natural evolution strategies with rank-based utilities (xNES; SNES when diagonal).

    Draw :math:`z_k \sim \mathcal{N}(0, I)`, :math:`x_k = \mu + A z_k`, sort the
    samples by :math:`f` (lowest first) and give the :math:`k`-th best the
    weight :math:`u_k` of :func:`utilities`. The natural gradient, taken in
    the local coordinates :math:`z`, is

    .. math::

        G_\delta = \sum_k u_k z_k, \qquad G_M = \sum_k u_k (z_k z_k^\top - I),

    and the update (Wierstra et al., 2014, Algorithm 5)

    .. math::

        \mu \leftarrow \mu + \eta_\mu A\, G_\delta, \qquad
        A \leftarrow A \exp\big(\tfrac{\eta_\sigma}{2} G_M\big),

    where for ``"isotropic"`` :math:`G_M` is replaced by its mean eigenvalue
    :math:`\operatorname{tr}(G_M)/d` (so :math:`\sigma \leftarrow \sigma
    e^{\eta_\sigma \operatorname{tr}(G_M)/(2d)}`) and for ``"diagonal"`` by its
    diagonal (separable NES). The matrix exponential is positive definite, so
    :math:`\Sigma = A A^\top` stays positive definite at any step size. The
    step on :math:`\mu` is scaled by :math:`A` itself: it shrinks as the
    distribution contracts.

    Parameters
    ----------
    f : Objective or callable
    mu0 : array_like, shape (d,) or (..., d)
    steps : int
    n : int
        Population per step; each run costs ``n * steps`` evaluations.
    rng : numpy.random.Generator or int
    sigma0 : float or array_like
        Initial scale: ``(...)``, ``(..., d)`` or any nonsingular factor ``A``
        ``(..., d, d)`` (so ``res.sigma`` of an earlier run starts a new one).
    covariance : {"isotropic", "diagonal", "full"}
    lr_mu : float
        :math:`\eta_\mu` (1 in the paper).
    lr_sigma : float, optional
        :math:`\eta_\sigma`; default :math:`(3 + \log d) / (5\sqrt d)` for
        isotropic and diagonal, :math:`3 (3 + \log d) / (5 d \sqrt d)` for full.
    sigma_floor : float
        Keep every scale (every singular value of ``A``) at least this large.
    max_norm : float
    record, state, callback
        As for :func:`smoothopt.minimize`; ``state=res.state`` continues a run
        exactly.

    Returns
    -------
    VariationalResult
        ``x`` is the final mean, ``fun = f(x)`` (not counted in ``nfev = n * steps``).
        :class:`NES` is the same method as an ask/tell object.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> res = nes(objectives.get("rosenbrock"), [[-1.0, 1.0]], steps=400, n=12, rng=0,
    ...           sigma0=0.5, covariance="full")
    >>> bool(np.abs(res.x - 1).max() < 0.01)
    True
    """
    callable_arg(f, "f")
    search = NES(mu0, n=n, rng=rng, sigma0=sigma0, covariance=covariance, lr_mu=lr_mu,
                 lr_sigma=lr_sigma, sigma_floor=sigma_floor, max_norm=max_norm, state=state,
                 dim=getattr(f, "dim", None))
    rec, nit, stopped, _ = drive(f, search, steps, record, callback, has_values=False)
    return _finish(f, search, rec, nit, stopped, "nes")


def _rank_weights(fv, u_sorted):
    """Utility of each sample by its rank along axis 0 (lowest ``f`` first).

    Tied values (common on a floored ``f``) share the mean of their utilities,
    so the order of the draw cannot break a tie; NaN ranks last.
    """
    n = fv.shape[0]
    fv = np.where(np.isnan(fv), np.inf, fv)
    order = np.argsort(fv, axis=0, kind="stable")
    fs = np.take_along_axis(fv, order, axis=0)
    k = np.arange(n).reshape((n,) + (1,) * (fv.ndim - 1))
    new = np.concatenate([np.ones((1,) + fv.shape[1:], bool), fs[1:] != fs[:-1]])
    start = np.maximum.accumulate(np.where(new, k, 0), axis=0)
    last = np.concatenate([fs[1:] != fs[:-1], np.ones((1,) + fv.shape[1:], bool)])
    end = np.minimum.accumulate(np.where(last, k, n - 1)[::-1], axis=0)[::-1] + 1
    cum = np.concatenate([[0.0], np.cumsum(u_sorted)])
    w_sorted = (cum[end] - cum[start]) / (end - start)
    w = np.empty_like(fv)
    np.put_along_axis(w, order, w_sorted, axis=0)
    return w
