r"""Checkers a learner runs on their own code: is my gradient, estimator or update rule right?

Each checker is an exact or a statistical test against an independent reference, and returns a
:class:`Report`: ``report.passed`` is the verdict and ``print(report)`` says in words what was
tested and, when it fails, what is probably wrong.

* :func:`check_gradient`: a gradient against central finite differences, component by
  component, at random points of the objective's window;
* :func:`check_smoothed_gradient_estimator`: an estimator of :math:`\nabla f_\sigma` with the
  library's signature ``(f, x, *, sigma, n, rng)``, by a z-test of unbiasedness against the
  exact smoothed gradient (or the library's own estimate where there is no closed form), with
  its variance compared with the library's estimators; it names the usual mistakes (a constant
  ratio such as a missing :math:`1/\sigma`, components averaged into one number, an estimate that
  is zero on a terraced objective);
* :func:`check_optimizer`: the first steps of an ``init``/``update`` pair against the published
  rule (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``), with
  the step at which they part and by how much.

A stub that still raises ``NotImplementedError`` gets a failing report that says so, not an
exception, so a notebook with an unfinished exercise still runs.

>>> import numpy as np
>>> from smoothopt import objectives, optimizers, testing
>>> f = objectives.get("bowl")
>>> testing.check_gradient(lambda x: 2 * np.asarray(x), f, rng=0).passed
True
>>> testing.check_optimizer(optimizers.adam(lr=0.1), "adam", lr=0.1).passed
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ._checks import as_rng
from .objectives import NotAvailableError

__all__ = ["Report", "check_gradient", "check_smoothed_gradient_estimator", "check_optimizer"]

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Report:
    """The verdict of a checker.

    Attributes
    ----------
    passed : bool
        Whether the code under test agrees with the reference.
    message : str
        What was tested and, on failure, what is probably wrong, in words.
    details : dict
        The numbers behind the verdict (differences, z-scores, ratios, steps), for a grader.
    """

    passed: bool
    message: str
    details: dict = field(default_factory=dict, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return ("PASSED: " if self.passed else "FAILED: ") + self.message

    def __repr__(self) -> str:  # what a notebook shows for a bare ``check_...(...)``
        return str(self)


def _not_implemented(what: str) -> Report:
    return Report(
        False,
        f"not implemented yet: your {what} raises NotImplementedError. Replace the "
        "`raise NotImplementedError` line with your code and run the check again.",
        {"not_implemented": True},
    )


def _crashed(what: str, exc: Exception) -> Report:
    return Report(
        False,
        f"your {what} raised {type(exc).__name__}: {exc}",
        {"exception": repr(exc)},
    )


def _fmt(v) -> str:
    return np.array2string(np.asarray(v, dtype=float), precision=4, suppress_small=False)


# ---------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------


def _window(f, bounds):
    b = getattr(f, "bounds", None) if bounds is None else bounds
    if b is None:
        raise ValueError(
            "'f' has no 'bounds' (its window, shape (d, 2)); pass bounds=[[low, high], ...]."
        )
    b = np.asarray(b, dtype=float)
    if b.ndim != 2 or b.shape[1] != 2 or np.any(b[:, 1] <= b[:, 0]):
        raise ValueError(f"'bounds' must have shape (d, 2) with low < high, got {b.tolist()}.")
    return b


def _values(f, pts):
    return np.asarray(f(pts), dtype=float)


def _grad_at(grad, x):
    """``grad`` at each row of ``x`` (n, d): one batched call, or one call per point."""
    try:
        g = np.asarray(grad(x), dtype=float)
        if g.shape == x.shape:
            return g
    except (NotImplementedError, NotAvailableError):
        raise
    except Exception:  # a gradient written for one point at a time; try that below
        pass
    return np.stack([np.asarray(grad(p), dtype=float).reshape(x.shape[-1]) for p in x])


def check_gradient(grad, f, *, rng, points=20, bounds=None) -> Report:
    r"""Check a gradient against central finite differences of ``f``, component by component.

    At ``points`` random points of the window ``f.bounds``, each component
    :math:`\partial_i f` of ``grad`` is compared with the Richardson-extrapolated central
    difference

    .. math::

        D_h = \frac{f(x + h e_i) - f(x - h e_i)}{2h}, \qquad
        \partial_i f \approx \frac{4 D_h - D_{2h}}{3},

    with :math:`h = \epsilon^{1/3} \max(1, |x_i|)`. The tolerance is the finite-difference
    error measured at that point: ten times the truncation estimate :math:`|D_h - D_{2h}|`
    plus ten times the round-off :math:`\epsilon |f| / h`, plus :math:`10^{-6}` of the
    gradient's size. A correct gradient is well inside it; a wrong factor, sign or term is not.

    Parameters
    ----------
    grad : callable
        Your gradient, ``grad(x) -> (..., d)``; one written for a single point ``(d,)`` works too.
    f : Objective or callable
        The function whose gradient it is; its ``bounds`` give the window.
    rng : numpy.random.Generator or int
        Randomness for the test points.
    points : int
        Number of test points.
    bounds : array_like, shape (d, 2), optional
        The window, when ``f`` has no ``bounds``.

    Returns
    -------
    Report
        ``details`` holds the points, your gradient, the reference and the tolerance.

    Examples
    --------
    >>> from smoothopt import objectives
    >>> f = objectives.get("bowl")
    >>> print(check_gradient(lambda x: np.asarray(x), f, rng=0))  # the factor 2 is missing
    FAILED: every component of your gradient is 0.5 times the finite-difference one ...
    """
    b = _window(f, bounds)
    gen = as_rng(rng)
    d = b.shape[0]
    x = b[:, 0] + (b[:, 1] - b[:, 0]) * gen.uniform(0.05, 0.95, size=(int(points), d))
    try:
        g = _grad_at(grad, x)
    except NotImplementedError as exc:
        if isinstance(exc, NotAvailableError):
            return _crashed("gradient", exc)
        return _not_implemented("gradient")
    except Exception as exc:
        return _crashed("gradient", exc)
    if g.shape != x.shape:
        return Report(
            False,
            f"your gradient returned shape {g.shape} for points of shape {x.shape}: a gradient "
            f"has one component per coordinate, d = {d}.",
        )
    if not np.all(np.isfinite(g)):
        return Report(False, "your gradient returned NaN or infinite values at points inside "
                      "the window.", {"x": x, "grad": g})
    h = _EPS ** (1 / 3) * np.maximum(1.0, np.abs(x))
    e = np.eye(d)

    def central(step):
        xs = x[:, None, :]
        hp = (xs + e * step[:, None, :]) - xs  # the step as really represented
        hi = np.diagonal(hp, axis1=-2, axis2=-1)
        return (_values(f, xs + hp) - _values(f, xs - hp)) / (2 * hi)

    d1, d2 = central(h), central(2 * h)
    ref = (4 * d1 - d2) / 3
    fx = np.abs(_values(f, x))[:, None]
    scale = np.abs(ref).max(axis=1, keepdims=True)
    tol = 10 * np.abs(d1 - d2) + 10 * _EPS * np.maximum(fx, 1.0) / h + 1e-6 * np.maximum(scale, 1.0)
    err = np.abs(g - ref)
    bad = err > tol
    details = {"x": x, "grad": g, "reference": ref, "tolerance": tol, "bad": bad}
    if not bad.any():
        return Report(
            True,
            f"your gradient matches central finite differences in all {d} components at "
            f"{len(x)} random points of the window (largest difference "
            f"{err.max():.1e}, within the finite-difference error).",
            details,
        )
    return Report(False, _diagnose_gradient(g, ref, bad, x), details)


def _diagnose_gradient(g, ref, bad, x):
    d = g.shape[1]
    comps = [i for i in range(d) if bad[:, i].any()]
    k = int(np.argmax((np.abs(g - ref) * bad).max(axis=1)))
    where = (
        f"At x = {_fmt(x[k])} yours is {_fmt(g[k])}, finite differences give {_fmt(ref[k])}."
    )
    big = np.abs(ref) > 1e-3 * max(np.abs(ref).max(), 1e-300)
    ratios = np.where(big, g / np.where(big, ref, 1.0), np.nan)
    flat = ratios[big]
    if flat.size and np.all(np.abs(flat - np.median(flat)) < 1e-3 * max(1, abs(np.median(flat)))):
        c = float(np.median(flat))
        hint = "the sign is flipped" if abs(c + 1) < 1e-3 else "a constant factor is off"
        return (
            f"every component of your gradient is {c:.4g} times the finite-difference one "
            f"({hint}). {where}"
        )
    if d > 1 and np.allclose(g[:, ::-1], ref, rtol=1e-5, atol=1e-8):
        return f"your components are in the wrong order (swapped). {where}"
    per = []
    for i in comps:
        mask = big[:, i]
        r = ratios[mask, i]
        if r.size and np.all(np.abs(r - np.median(r)) < 1e-3 * max(1, abs(np.median(r)))):
            c = float(np.median(r))
            sign = " (the wrong sign)" if abs(c + 1) < 1e-3 else ""
            per.append(f"component {i} is {c:.4g} times the right one everywhere{sign}")
        else:
            share = bad[:, i].mean()
            per.append(f"component {i} is wrong at {share:.0%} of the points")
    good = [i for i in range(d) if i not in comps]
    tail = f"; component(s) {good} are right" if good else ""
    return (
        "your gradient disagrees with central finite differences: " + "; ".join(per) + tail
        + ". A term is missing or a chain-rule factor is off there. " + where
    )


# ---------------------------------------------------------------------------------------------
# estimators of the smoothed gradient
# ---------------------------------------------------------------------------------------------


def _exact_or_library(f, x, sigma, gen, n_ref):
    """The reference gradient of f_sigma at points x (k, d), and its standard error."""
    try:
        return np.asarray(f.smoothed_grad(x, sigma), dtype=float), np.zeros_like(x), "exact"
    except (AttributeError, NotAvailableError, NotImplementedError, TypeError):
        pass
    from .estimators import score_function

    # the library's antithetic score function, in batches whose spread gives its standard error
    batches = 20
    xs = np.broadcast_to(x, (batches,) + x.shape)
    est = score_function(f, xs, sigma=sigma, n=2 * (n_ref // (2 * batches)), rng=gen,
                         antithetic=True)
    return est.mean(axis=0), est.std(axis=0, ddof=1) / math.sqrt(batches), "library"


def _library_variances(f, x, sigma, n, gen, repeats):
    """Per-call variance (trace of the covariance) of the library's estimators at x (d,)."""
    from .estimators import reparameterization, score_function

    xs = np.broadcast_to(x, (repeats, x.shape[-1]))
    out = {}
    out["score function"] = score_function(f, xs, sigma=sigma, n=n, rng=gen)
    out["score function with baseline"] = score_function(f, xs, sigma=sigma, n=n, rng=gen,
                                                         baseline=True)
    if n % 2 == 0:
        out["antithetic score function"] = score_function(f, xs, sigma=sigma, n=n, rng=gen,
                                                          antithetic=True)
    if getattr(f, "has_grad", False):
        out["pathwise (reparameterization)"] = reparameterization(f.grad, xs, sigma=sigma, n=n,
                                                                  rng=gen)
    return {k: float(v.var(axis=0, ddof=1).sum()) for k, v in out.items()}


_RATIO_NAMES = [
    (lambda s, n: s, "sigma", "a missing 1/sigma (the score is z / sigma, not z)"),
    (lambda s, n: 1 / s, "1/sigma", "an extra 1/sigma (dividing by sigma**2 while using z, "
     "or by sigma while using sigma * z twice)"),
    (lambda s, n: s * s, "sigma**2", "a missing 1/sigma**2"),
    (lambda s, n: n, "n", "a sum over the samples where the mean belongs (a missing 1/n)"),
    (lambda s, n: 1 / n, "1/n", "dividing by n twice"),
    (lambda s, n: -1.0, "-1", "the sign: this is the gradient of -f_sigma (ascent), and "
     "everything in smoothopt minimizes"),
    (lambda s, n: (n - 1) / n, "(n - 1)/n", "a baseline that includes the sample it is "
     "subtracted from (the mean of all n values); leave that sample out: the mean of the others"),
    (lambda s, n: 0.5, "1/2", "a stray factor 1/2 (a central difference divides by 2 delta, "
     "not by 4 delta)"),
    (lambda s, n: 2.0, "2", "a stray factor 2 (a central difference divides by 2 delta)"),
]


def check_smoothed_gradient_estimator(
    estimator, f, *, sigma, rng, n=100, repeats=4000, points=2, small_n=10, bounds=None
) -> Report:
    r"""Check an estimator of :math:`\nabla f_\sigma`: unbiased, and how noisy.

    The estimator is called ``repeats`` times with ``n`` samples at each of ``points`` random
    points of the window. Its mean is compared with the reference, the exact
    ``f.smoothed_grad(x, sigma)`` where the objective has one and otherwise the library's
    antithetic score-function estimate with a large sample, by a z-test per component:

    .. math::

        z_i = \frac{\bar g_i - \nabla_i f_\sigma(x)}{\sqrt{s_i^2 / R + s_{\mathrm{ref},i}^2}}

    with :math:`\bar g` and :math:`s^2` the mean and variance of the :math:`R` calls. The test
    fails when :math:`|z_i| > 5` for some point and component (with an exact reference a false
    alarm has probability below :math:`10^{-5}`; a reference computed by the library from 20
    batches has heavier tails, and none was seen in 20 seeds). The first point is tested again with ``small_n`` samples per call,
    where mistakes that scale with :math:`1/n` show. With the defaults (400,000 samples per
    point) a bias of 5 % of the score function's mean on ``wavy_bowl`` at :math:`\sigma = 0.3`
    is caught with 9 seeds in 10, one of 10 % always; a noisier estimator needs a larger
    ``repeats`` for the same power. On failure it looks for the
    usual mistakes by their signature: a constant ratio to the truth (a missing
    :math:`1/\sigma` or :math:`1/n`, a flipped sign), all components equal (averaged into one
    number), an estimate that is zero although :math:`\nabla f_\sigma` is not (a pathwise
    estimator on a piecewise-constant objective). The per-call variance is reported next to
    the library's estimators' at the same ``n``.

    Parameters
    ----------
    estimator : callable
        ``estimator(f, x, *, sigma, n, rng) -> (d,)`` for one point ``x`` of shape ``(d,)``.
    f : Objective or callable
        The objective; its ``bounds`` give the window.
    sigma : float
        Smoothing width, positive.
    rng : numpy.random.Generator or int
        Randomness: the generator passed to every call of the estimator.
    n : int
        Samples per call.
    repeats : int
        Calls per point.
    small_n : int
        Samples per call of the second look at the first point (``repeats // 2`` calls);
        ``0`` skips it.
    points : int
        Number of random test points.
    bounds : array_like, shape (d, 2), optional
        The window, when ``f`` has no ``bounds``.

    Returns
    -------
    Report
        ``details`` holds the points, the means, the references, the z-scores and variances.

    Examples
    --------
    >>> from smoothopt import estimators, objectives
    >>> f = objectives.get("wavy_bowl")
    >>> check_smoothed_gradient_estimator(estimators.score_function, f, sigma=0.3, rng=0).passed
    True
    """
    sigma = float(sigma)
    if not sigma > 0:
        raise ValueError(f"'sigma' must be positive, got {sigma}.")
    b = _window(f, bounds)
    gen = as_rng(rng)
    d = b.shape[0]
    x = b[:, 0] + (b[:, 1] - b[:, 0]) * gen.uniform(0.15, 0.85, size=(int(points), d))

    # one call first: shape, finiteness and NotImplementedError, before spending the budget
    try:
        g0 = np.asarray(estimator(f, x[0].copy(), sigma=sigma, n=n, rng=gen), dtype=float)
    except NotAvailableError as exc:
        return Report(
            False,
            "your estimator asks the objective for its gradient, and this objective has none "
            f"({exc}). A pathwise estimator needs grad f; on a piecewise-constant objective use "
            "values of f only (the score function or finite differences of the smoothing).",
            {"exception": repr(exc)},
        )
    except NotImplementedError:
        return _not_implemented("estimator")
    except Exception as exc:
        return _crashed("estimator", exc)
    if g0.shape != (d,):
        return Report(
            False,
            f"your estimator returned shape {g0.shape} for one point of shape ({d},): it must "
            f"return one gradient component per coordinate, shape ({d},).",
        )

    # every point at n samples per call, and the first point again at small_n: mistakes that
    # scale with 1/n (a sum for a mean, a baseline that includes its own sample) show there
    runs = [(k, int(n), int(repeats)) for k in range(len(x))]
    if small_n and int(small_n) != int(n):
        runs.append((0, int(small_n), max(int(repeats) // 2, 2)))
    cache = {}
    means, sds, refs, zs, variances, zero_share, equal_share, ns = ([] for _ in range(8))
    kind = "exact"
    for k, n_run, r_run in runs:
        p = x[k]
        try:
            est = np.stack([
                np.asarray(estimator(f, p.copy(), sigma=sigma, n=n_run, rng=gen), dtype=float)
                for _ in range(r_run)
            ])
        except Exception as exc:
            return _crashed("estimator", exc)
        if not np.all(np.isfinite(est)):
            return Report(False, f"your estimator returned NaN or infinite values at x = "
                          f"{_fmt(p)}.")
        if k not in cache:
            cache[k] = _exact_or_library(f, p[None, :], sigma, gen, 400_000)
        ref, ref_se, kind = cache[k]
        ref, ref_se = ref[0], ref_se[0]
        mean = est.mean(axis=0)
        sd = est.std(axis=0, ddof=1)
        se = np.sqrt(sd**2 / len(est) + ref_se**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, (mean - ref) / np.where(se > 0, se, 1.0),
                         np.where(np.isclose(mean, ref, rtol=1e-9, atol=1e-12), 0.0, np.inf))
        means.append(mean), sds.append(sd), refs.append(ref), ns.append(n_run)
        zs.append(z), variances.append(float((sd**2).sum()))
        zero_share.append(float(np.mean(np.all(est == 0, axis=1))))
        equal_share.append(float(np.mean(np.ptp(est, axis=1) <= 1e-12 * (1 + np.abs(est).max()))))
    means, refs, zs = np.array(means), np.array(refs), np.array(zs)
    xs_run = np.array([x[k] for k, _, _ in runs])
    lib_var = _library_variances(f, x[0], sigma, n, gen, min(int(repeats), 2000))
    details = {
        "x": x, "mean": means, "reference": refs, "reference_kind": kind, "z": zs,
        "variance": variances, "library_variance": lib_var, "n": ns, "repeats": repeats,
    }
    var_text = _variance_text(variances[0], lib_var, n)
    worst = np.unravel_index(np.argmax(np.abs(zs)), zs.shape)
    against = ("the exact smoothed gradient" if kind == "exact"
               else "the library's score-function estimate from a large sample (this "
               "objective's smoothing has no closed form)")
    noisiest = max(lib_var.values()) if lib_var else np.inf
    if np.max(np.abs(zs)) <= 5 and variances[0] > 100 * noisiest:
        return Report(
            False,
            f"your estimator shows no bias, but its variance per call is "
            f"{variances[0] / noisiest:.3g} times that of the noisiest of the library's "
            "estimators at the same n: too noisy to be of use, and to test for bias. On a "
            "discontinuous f this is the signature of finite differences of f with a step far "
            "below sigma (a sample that straddles a jump contributes 1/(2h)); differentiate the "
            f"smoothing instead (score function, or a step comparable to sigma). {var_text}",
            details,
        )
    if np.max(np.abs(zs)) <= 5:
        return Report(
            True,
            f"your estimator looks unbiased: over {repeats} calls with n = {n} at {len(x)} "
            f"points (and {runs[-1][2]} more with n = {runs[-1][1]}) its mean agrees with {against}; the largest |z| is {np.max(np.abs(zs)):.1f} "
            f"(limit 5). {var_text}",
            details,
        )
    k, i = worst
    where = (f"At x = {_fmt(xs_run[k])} (n = {ns[k]}) your mean is {_fmt(means[k])}, the truth "
             f"is {_fmt(refs[k])} (z = {zs[k][i]:.1f} in component {i}).")
    grads_at_x = None
    if getattr(f, "has_grad", False):
        grads_at_x = np.asarray(f.grad(xs_run), dtype=float)
    msg = _diagnose_estimator(means, refs, zs, sigma, np.array(ns), d, zero_share, equal_share,
                              variances, grads_at_x)
    var_text = var_text.replace(" times the least noisy of them)",
                                " times the least noisy of them, which says nothing while the "
                                "mean is wrong: an estimate scaled by c has c**2 times the "
                                "variance)")
    return Report(False, f"{msg} {where} {var_text}", details)


def _variance_text(var, lib_var, n):
    if var <= 1e-20:
        return "Your estimator returned the same value on every call (no variance at all)."
    parts = ", ".join(f"{k} {v:.3g}" for k, v in lib_var.items())
    best = min(lib_var.values()) if lib_var else None
    rel = f" ({var / best:.3g} times the least noisy of them)" if best else ""
    return (f"Its variance per call (n = {n}, summed over components) is {var:.3g}{rel}; "
            f"the library's estimators at the same n: {parts}.")


def _diagnose_estimator(means, refs, zs, sigma, n, d, zero_share, equal_share,
                        variances=None, grads_at_x=None):
    big = np.abs(refs) > 1e-2 * max(np.abs(refs).max(), 1e-300)
    if min(zero_share) > 0.5 and np.abs(refs).max() > 0:
        return (
            "your estimate is exactly zero on most calls although the smoothed gradient is not: "
            "on a piecewise-constant (terraced) objective the gradient of f is zero almost "
            "everywhere, so a pathwise estimator (averaging grad f, or finite differences of f "
            "with a tiny step) sees nothing. Use the values of f: the score function, or finite "
            "differences of the smoothed f with a step comparable to sigma."
        )
    if d > 1 and min(equal_share) > 0.99 and np.ptp(refs, axis=1).max() > 0:
        return (
            "all components of your estimate are equal on every call, while the true gradient's "
            "are not: the components were averaged (or summed) into one number, e.g. "
            "np.mean(f_values * z) over all axes instead of over the samples only (axis=0)."
        )
    if variances is not None and max(variances) <= 1e-20 * (1 + float(np.abs(means).max()) ** 2):
        if grads_at_x is not None and np.allclose(means, grads_at_x, rtol=1e-6, atol=1e-9):
            return ("your estimator returns the same value on every call, and it is the gradient "
                    "of f at x: grad f(x), not the gradient of the smoothed f_sigma. Average "
                    "grad f over the samples x + sigma z_k instead.")
        return ("your estimator returns the same value on every call (it draws no samples from "
                "rng), and that value is not the smoothed gradient.")
    if big.any():
        ratio = means / np.where(big, refs, 1.0)
        slack = np.abs((means - refs) / np.where(zs != 0, zs, np.inf))  # one standard error
        slack = 5 * slack / np.where(big, np.abs(refs), 1.0)
        c = float(np.median(ratio[big]))
        if abs(c) < 0.05:
            return (f"the mean of your estimate is about zero ({c:.2g} times the truth): the "
                    "weights are not correlated with the samples. Every sample must enter with "
                    "its own z, the same z in f(x + sigma z) and in the weight z / sigma.")
        n_of = np.broadcast_to(np.asarray(n)[:, None], ratio.shape)
        for fn, name, meaning in _RATIO_NAMES:
            target = np.array([fn(sigma, m) for m in n_of[big]], dtype=float)
            if np.all(np.abs(ratio[big] - target) <= 0.03 * np.abs(target) + slack[big]) and \
                    np.any(np.abs(target - 1) > 0.02):
                shown = ", ".join(sorted({f"{v:.4g}" for v in ratio[big].round(3)}))
                return (f"your estimate is {name} times the truth (sigma = {sigma}, n = "
                        f"{'/'.join(str(m) for m in sorted(set(np.asarray(n).tolist())))}; "
                        f"measured ratios {shown}): probably {meaning}.")
        if np.all(np.abs(ratio[big] - c) <= 0.03 * abs(c) + slack[big]) and abs(c - 1) > 0.02:
            return (f"your estimate is {c:.4g} times the truth at every point and component: a "
                    "constant factor is off (check the 1/sigma, the 1/n and the sign).")
    return (
        "your estimator is biased: its mean differs from the smoothed gradient by more than "
        "the noise allows, and not by a constant factor. Check that every sample enters with "
        "its own z (the same z in f(x + sigma z) and in the weight), that a baseline does not "
        "depend on the sample it is subtracted from, and that x is not changed in place."
    )


# ---------------------------------------------------------------------------------------------
# update rules
# ---------------------------------------------------------------------------------------------

_DEFAULTS = {
    "sgd": {},
    "momentum": {"beta": 0.9},
    "nesterov": {"beta": 0.9},
    "adagrad": {"eps": 1e-8},
    "rmsprop": {"decay": 0.9, "eps": 1e-8},
    "adam": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
}


def _reference_steps(rule, hp, grads):
    """The published rules, written out step by step (independently of smoothopt.optimizers).

    Returns the updates u_1, ..., u_T (x_{t+1} = x_t + u_t) for the gradient sequence grads.
    """
    lr = hp["lr"]
    out = []
    v = np.zeros_like(grads[0])  # velocity, or the accumulated / averaged squares
    m = np.zeros_like(grads[0])
    for k, g in enumerate(grads):
        t = k + 1  # steps count from 1, as in the papers
        eta = lr(k) if callable(lr) else lr
        if rule == "sgd":
            u = -eta * g
        elif rule == "momentum":  # Polyak: v <- beta v - eta g ; x <- x + v
            v = hp["beta"] * v - eta * g
            u = v
        elif rule == "nesterov":  # Sutskever et al. 2013's method, in the look-ahead-free
            # form of Bengio, Boulanger-Lewandowski and Pascanu 2013 (update sees g only)
            v = hp["beta"] * v - eta * g
            u = hp["beta"] * v - eta * g
        elif rule == "adagrad":  # Duchi et al. 2011
            v = v + g * g
            u = -eta * g / (np.sqrt(v) + hp["eps"])
        elif rule == "rmsprop":  # Tieleman and Hinton 2012
            v = hp["decay"] * v + (1 - hp["decay"]) * g * g
            u = -eta * g / (np.sqrt(v) + hp["eps"])
        elif rule == "adam":  # Kingma and Ba 2015, Algorithm 1
            m = hp["b1"] * m + (1 - hp["b1"]) * g
            v = hp["b2"] * v + (1 - hp["b2"]) * g * g
            m_hat = m / (1 - hp["b1"] ** t)
            v_hat = v / (1 - hp["b2"] ** t)
            u = -eta * m_hat / (np.sqrt(v_hat) + hp["eps"])
        out.append(u)
    return np.array(out)


def _variants(rule, hp, grads):
    """Common wrong versions of each rule, to name the mistake a learner's steps match."""
    lr = hp["lr"]
    out = {}
    sgd = _reference_steps("sgd", hp, grads)
    out["plain gradient descent: the velocity (state) is never carried to the next step"] = sgd
    if rule == "sgd":
        del out[next(iter(out))]  # plain gradient descent is the rule itself here
    if callable(lr):
        late = dict(hp, lr=lambda t: lr(t + 1))
        out["the schedule evaluated one step late, lr(t + 1): the first step uses lr(0), "
            "with t the number of steps already taken (the state's count)"] = _reference_steps(
            rule, late, grads)
    if rule == "adam":
        b1, b2, eps = hp["b1"], hp["b2"], hp["eps"]

        def adam(first_t, no_correction=False, eps_inside=False, eps_hat=False):
            m = v = np.zeros_like(grads[0])
            res = []
            for k, g in enumerate(grads):
                t = k + first_t
                t = 0.001 if t == 0 else t  # the source notebook's guard against t = 0
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                mh, vh = (m, v) if no_correction else (m / (1 - b1**t), v / (1 - b2**t))
                den = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
                if eps_hat:  # Section 2's order: lr_t = lr sqrt(1 - b2**t) / (1 - b1**t)
                    den = np.sqrt(vh) + eps / np.sqrt(1 - b2**t)  # = (sqrt(v) + eps) / sqrt(..)
                res.append(-(lr(k) if callable(lr) else lr) * mh / den)
            return np.array(res)

        out["the step count t starts at 0 (a first step faked with t = 0.001 and every later "
            "bias correction one step behind): t must be 1 at the first step"] = adam(0)
        out["no bias correction: m and v start at zero, so the first steps are far too short "
            "(divide by 1 - b1**t and 1 - b2**t)"] = adam(1, no_correction=True)
        out["eps inside the square root: Adam divides by sqrt(v_hat) + eps"] = adam(
            1, eps_inside=True)
        out["both mistakes of the source notebook's Adam: the step count t starts at 0 (a "
            "first step faked with t = 0.001, every later bias correction one step behind) and "
            "eps sits inside the square root; t must be 1 at the first step, and Adam divides "
            "by sqrt(v_hat) + eps"] = adam(0, eps_inside=True)
        out["the 'efficient' order of Section 2 of Kingma and Ba (also Keras/TensorFlow's): "
            "lr_t = lr sqrt(1 - b2**t) / (1 - b1**t) and u = -lr_t m / (sqrt(v) + eps), which "
            "puts eps outside the bias correction (eps / sqrt(1 - b2**t) in Algorithm 1's "
            "terms). The two agree as eps -> 0 but not for a gradient as small as eps; this "
            "checker compares with Algorithm 1: divide by sqrt(v_hat) + eps"] = adam(
            1, eps_hat=True)
    if rule in ("momentum", "nesterov"):
        beta = hp["beta"]
        v, res = np.zeros_like(grads[0]), []
        for k, g in enumerate(grads):
            v = beta * v + (1 - beta) * g
            res.append(-(lr(k) if callable(lr) else lr) * v)
        out["an exponential average v = beta v + (1 - beta) g: that is Adam's first moment; "
            "heavy-ball momentum adds the whole step, v = beta v - lr g"] = np.array(res)
    if rule == "nesterov":
        out["heavy-ball momentum: Nesterov's update is u = beta v_new - lr g (the look-ahead), "
            "not u = v_new"] = _reference_steps("momentum", hp, grads)
    if rule in ("adagrad", "rmsprop"):
        eps = hp["eps"]
        v, res = np.zeros_like(grads[0]), []
        for k, g in enumerate(grads):
            v = v + g * g if rule == "adagrad" else hp["decay"] * v + (1 - hp["decay"]) * g * g
            res.append(-(lr(k) if callable(lr) else lr) * g / np.sqrt(v + eps))
        out["eps inside the square root, sqrt(v + eps): a convention of its own (TensorFlow "
            "1's RMSPropOptimizer; Tieleman and Hinton's slides have no eps), but this checker "
            "uses PyTorch's and Keras's sqrt(v) + eps"] = np.array(res)
    if rule == "rmsprop":
        out["AdaGrad's sum of squares instead of RMSProp's moving average"] = _reference_steps(
            "adagrad", hp, grads)
    if rule == "adagrad":
        hp2 = dict(hp, decay=0.9)
        out["a moving average of squares (RMSProp) instead of AdaGrad's running sum"] = (
            _reference_steps("rmsprop", hp2, grads))
    return out


def _test_gradients(d=3, steps=12, seed=20240901):
    """A fixed gradient sequence: signs change, magnitudes differ by coordinate (one tiny,
    so that where eps sits shows), and one coordinate's gradient vanishes for a while."""
    g = np.random.default_rng(seed).normal(size=(steps, d))
    g *= np.array([1.0, 3e-5, 20.0])[:d]
    g[3:6, 0] = 0.0
    return g


def check_optimizer(optimizer, rule, *, steps=12, **hyperparameters) -> Report:
    r"""Check an update rule's first steps against the published rule.

    ``optimizer`` follows the library's convention (see :mod:`smoothopt.optimizers`):
    ``init(x) -> state`` and ``update(g, state) -> (u, state)``, the driver then sets
    :math:`x_{t+1} = x_t + u_t`. It is fed a fixed sequence of gradients in three coordinates
    of very different sizes (one of about :math:`10^{-5}`, where the place of :math:`\epsilon`
    shows), and its updates are compared with the reference written out from the papers:

    .. math::

        \text{sgd: } u_t = -\eta g_t, \qquad
        \text{momentum: } v_t = \beta v_{t-1} - \eta g_t,\ u_t = v_t, \qquad
        \text{nesterov: } u_t = \beta v_t - \eta g_t,

        \text{adagrad: } G_t = G_{t-1} + g_t^2,\ u_t = -\frac{\eta g_t}{\sqrt{G_t} + \epsilon},
        \qquad
        \text{rmsprop: } v_t = \rho v_{t-1} + (1 - \rho) g_t^2,\ u_t = -\frac{\eta g_t}{\sqrt{v_t} + \epsilon},

        \text{adam: } u_t = -\eta\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon},
        \quad t = 1, 2, \ldots

    to a relative :math:`10^{-6}`. It reports the first step where they part, by how much, and
    which common wrong or non-standard version the steps match, if any (Adam is Algorithm 1 of
    Kingma and Ba; their Section 2's reordering, as in Keras, places :math:`\epsilon` differently
    and is named as such, not accepted). It also checks that ``update`` leaves the
    state it is given unchanged (pure), as the driver assumes.

    Parameters
    ----------
    optimizer : object with ``init`` and ``update``, or callable
        Your update rule; a function of the hyperparameters that builds one works too.
    rule : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
        The published rule it implements.
    steps : int
        How many steps to compare.
    **hyperparameters
        ``lr`` (required) and the rule's others under the library's names (``beta``;
        ``eps``; ``decay``, ``eps``; ``b1``, ``b2``, ``eps``), defaulting to the library's
        defaults. Use the values your optimizer was built with.

    Returns
    -------
    Report
        ``details`` holds your updates, the reference and the step where they part.

    Examples
    --------
    >>> from smoothopt import optimizers
    >>> print(check_optimizer(optimizers.momentum(0.1, beta=0.9), "nesterov", lr=0.1))
    FAILED: your very first step already differs from nesterov: ...
    """
    if rule not in _DEFAULTS:
        raise ValueError(f"'rule' must be one of {sorted(_DEFAULTS)}, got {rule!r}.")
    unknown = set(hyperparameters) - set(_DEFAULTS[rule]) - {"lr"}
    if unknown:
        raise TypeError(f"{rule} has no hyperparameter(s) {sorted(unknown)}; it takes lr and "
                        f"{sorted(_DEFAULTS[rule])}.")
    if "lr" not in hyperparameters:
        raise TypeError("'lr' is required: pass the step size your optimizer was built with, "
                        "e.g. check_optimizer(opt, 'sgd', lr=0.1).")
    hp = dict(_DEFAULTS[rule], **hyperparameters)
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        if not callable(optimizer):
            raise TypeError("'optimizer' must have init(x) and update(g, state) methods (or "
                            f"be a function of the hyperparameters returning one), got "
                            f"{type(optimizer).__name__}.")
        try:
            optimizer = optimizer(**hyperparameters)
        except NotImplementedError:
            return _not_implemented("optimizer")
        except Exception as exc:
            return _crashed("optimizer factory", exc)
    grads = _test_gradients(steps=int(steps))
    ref = _reference_steps(rule, hp, grads)
    try:
        state = optimizer.init(np.zeros(grads.shape[1]))
        ours, impure = [], None
        for k, g in enumerate(grads):
            snapshot = _copy_state(state)
            u, new_state = optimizer.update(g.copy(), state)
            if impure is None and not _same_state(state, snapshot):
                impure = k + 1
            ours.append(np.asarray(u, dtype=float).reshape(grads.shape[1]))
            state = new_state
    except NotImplementedError:
        return _not_implemented("optimizer")
    except Exception as exc:
        return _crashed("optimizer", exc)
    ours = np.array(ours)
    close = np.isclose(ours, ref, rtol=1e-6, atol=1e-12 * np.abs(ref).max())
    details = {"updates": ours, "reference": ref, "gradients": grads, "hyperparameters": hp}
    if close.all() and impure is None:
        return Report(True, f"your update rule reproduces {rule} exactly for {len(grads)} steps "
                      f"(hyperparameters {_hp_text(hp)}).", details)
    if close.all():
        return Report(
            False,
            f"your steps agree with {rule}, but update changed the state it was given at step "
            f"{impure} (an in-place += on a state array). Return a new state instead; the "
            "driver and the checkpoints of minimize(state=...) rely on old states not changing.",
            dict(details, impure_step=impure))
    k = int(np.argmin(close.all(axis=1)))
    details["first_wrong_step"] = k + 1
    i = int(np.argmax(~close[k]))
    ratio = ours[k, i] / ref[k, i] if ref[k, i] != 0 else np.inf
    head = (f"your steps agree with {rule} up to step {k}" if k else
            f"your very first step already differs from {rule}")
    head += f" and part at step {k + 1}" if k else ""
    body = (f": there, coordinate {i} moves by {ours[k, i]:.6g} instead of {ref[k, i]:.6g} "
            f"(ratio {ratio:.4g}) for the gradient {grads[k, i]:.4g}.")
    hint = ""
    for name, steps_v in _variants(rule, hp, grads).items():
        if np.allclose(ours, steps_v, rtol=1e-6, atol=1e-12 * np.abs(steps_v).max()):
            hint = f" Your steps match a known wrong or non-standard version exactly: {name}."
            break
    else:
        if np.allclose(ours, -ref, rtol=1e-6):
            hint = " Your steps are the reference with the opposite sign: update returns the " \
                   "change u that the driver adds to x, so it must point downhill (u = -lr g ...)."
        elif k == 0 and np.all(np.isfinite(ratio)):
            hint = (" Check the first step by hand: every accumulator in the state starts at "
                    "zero, a bias correction or schedule uses the step's own t, and eps sits where the "
                    "rule above puts it (a tiny gradient makes its place visible).")
    return Report(False, head + body + hint, details)


def _hp_text(hp):
    return ", ".join(f"{k}={'schedule' if callable(v) else v}" for k, v in hp.items())


def _copy_state(state):
    def copy(v):
        return np.array(v, copy=True) if isinstance(v, np.ndarray) else v

    if isinstance(state, tuple):
        return tuple(copy(v) for v in state)
    if isinstance(state, dict):
        return {k: copy(v) for k, v in state.items()}
    return copy(state)


def _same_state(a, b) -> bool:
    items_a = a.values() if isinstance(a, dict) else (a if isinstance(a, tuple) else (a,))
    items_b = b.values() if isinstance(b, dict) else (b if isinstance(b, tuple) else (b,))
    for u, v in zip(items_a, items_b):
        if isinstance(u, np.ndarray) or isinstance(v, np.ndarray):
            if not np.array_equal(np.asarray(u), np.asarray(v)):
                return False
    return True
