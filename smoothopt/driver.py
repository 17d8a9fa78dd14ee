r"""The one optimization loop, :func:`minimize`, and its :class:`Result`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._checks import as_points, as_rng, callable_arg, count, positive
from .estimators import Oracle
from .optimizers import Optimizer

__all__ = ["minimize", "Result"]


@dataclass
class Result:
    """What :func:`minimize` returns, one entry per run for batched starts.

    Attributes
    ----------
    x : ndarray, shape (..., d)
        Final iterate of each run (for a diverged run: its last finite iterate).
    fun : ndarray, shape (...)
        ``f(x)``.
    path : ndarray, shape (steps + 1, ..., d)
        Every iterate, starting with ``x0``; NaN after a run diverged.
    nit : int
        Steps taken.
    nfev, njev : ndarray of int, shape (...)
        Objective and gradient evaluations each run spent on its gradients
        (from the oracle's cost). The values recorded for monitoring are not
        counted: a method that needs them must evaluate them itself.
    status : ndarray of str, shape (...)
        ``"completed"`` or ``"diverged"`` (a non-finite iterate or gradient, or
        ``|x| > max_norm``).
    success : ndarray of bool, shape (...)
        ``status == "completed"``.
    message : str
        A one-line summary.
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

    def _with_objective(self, f, values=None):
        """Remember ``f`` (not a field: it is how ``values`` is computed, not a result)."""
        self._f = f
        self._values = values
        return self

    @property
    def values(self):
        """``f`` along the path, shape ``(steps + 1, ...)``; computed on first use."""
        cached = getattr(self, "_values", None)
        if cached is None:
            with np.errstate(all="ignore"):
                cached = np.asarray(self._f(self.path), dtype=float)
            self._values = cached
        return cached


def minimize(f, x0, optimizer, *, steps, grad=None, rng=None, max_norm=1e8):
    r"""Run ``optimizer`` from every start in ``x0`` for ``steps`` steps.

    .. math::

        g_t = \mathrm{grad}(x_t), \qquad (u_t, s_{t+1}) = \mathrm{update}(g_t, s_t),
        \qquad x_{t+1} = x_t + u_t

    All runs move together as one array; a run that diverges is frozen, marked
    ``"diverged"`` and its path continues as NaN, without RuntimeWarnings.

    Parameters
    ----------
    f : Objective or callable
        The objective, ``f(points) -> values``.
    x0 : array_like, shape (d,) or (..., d)
        Starting points; every leading index is an independent run.
    optimizer : Optimizer
        From :mod:`smoothopt.optimizers`.
    steps : int
        Number of steps, ``>= 0``.
    grad : callable, optional
        The gradient oracle ``grad(x, rng) -> (..., d)``; an
        :class:`~smoothopt.estimators.Oracle` (from
        :func:`smoothopt.estimators.oracle`) is also given the step index and
        reports its cost. Default: ``f.grad``.
    rng : numpy.random.Generator or int, optional
        Passed to ``grad`` (required by the stochastic estimators).
    max_norm : float
        A run whose iterate leaves ``|x_i| <= max_norm`` is diverged.

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
    """
    callable_arg(f, "f")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "'optimizer' must be a smoothopt.optimizers.Optimizer, e.g. "
            f"optimizers.sgd(lr=0.1); got {type(optimizer).__name__}."
        )
    steps = count(steps, "steps", minimum=0)
    max_norm = positive(max_norm, "max_norm")
    x = as_points(x0, "x0", getattr(f, "dim", None), finite=True)
    oracle, per_fev, per_jev = _oracle(f, grad)
    if rng is not None:  # a Generator or an int seed; anything else is a mistake
        rng = as_rng(rng)

    batch = x.shape[:-1]
    path = np.empty((steps + 1,) + x.shape)
    path[0] = x
    state = optimizer.init(x)
    alive = None  # None: every run alive (the fast path)
    diverged_at = np.full(batch, -1)
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = oracle(x, rng, t)
            u, state = optimizer.update(g, state)
            x_new = x + u
            # Two reductions catch NaN (it propagates through max and min and
            # fails every comparison), inf and explosion; per-run work only if so.
            if alive is None and x_new.max() <= max_norm and x_new.min() >= -max_norm:
                x = x_new
            else:
                bad = ~np.all(np.abs(x_new) <= max_norm, axis=-1)
                if alive is None:
                    alive = np.ones(batch, dtype=bool)
                newly = alive & bad
                diverged_at[newly] = t + 1
                alive = alive & ~bad
                x = np.where(alive[..., None], x_new, x)
                path[t + 1] = np.where(alive[..., None], x, np.nan)
                continue
            path[t + 1] = x
        fun = np.asarray(f(x), dtype=float)

    return make_result(f, x, fun, path, diverged_at, nfev=steps * per_fev, njev=steps * per_jev,
                       message=f"{steps} steps", reason=f"non-finite or |x| > {max_norm:g}")


def make_result(f, x, fun, path, diverged_at, *, nfev, njev, message, reason,
                values=None, cls=Result, **extra):
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
    return cls(
        x=x,
        fun=fun,
        path=path,
        nit=path.shape[0] - 1,
        nfev=np.full(batch, nfev),
        njev=np.full(batch, njev),
        status=np.where(diverged, "diverged", "completed"),
        success=~diverged,
        message=text,
        diverged_at=diverged_at,
        **extra,
    )._with_objective(f, values)


def _oracle(f, grad):
    """A callable ``(x, rng, t)`` and its per-call cost in f and grad evaluations."""
    if grad is None:
        if not getattr(f, "has_grad", hasattr(f, "grad")):
            reason = getattr(f, "_no_grad", None) or "it has no 'grad' method"
            raise ValueError(
                f"'grad' is required: 'f' has no analytic gradient ({reason})"
            )
        fgrad = f.grad
        return (lambda x, rng, t: fgrad(x)), 0, 1
    if isinstance(grad, Oracle):
        return grad, grad.nfev, grad.njev
    callable_arg(grad, "grad")
    return (lambda x, rng, t: grad(x, rng)), 0, 1
