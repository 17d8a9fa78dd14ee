"""Gradient estimators: bias, closed-form variances, variance reduction, shapes.

The stochastic checks draw ``M`` independent estimates in one batched call (a batch of
``M`` copies of the same point: every batch entry gets its own samples), then compare
their mean with the exact smoothed gradient using the standard error computed from the
sample itself. A tolerance of 5 standard errors fails with probability ~6e-7 per
comparison for an unbiased estimator, while a bias of a few percent is detected.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import mean_and_stderr, variance_and_stderr
from smoothopt import estimators, objectives

EPS = np.finfo(float).eps
Z_TOL = 5.0  # standard errors

WAVY = objectives.get("wavy_bowl")
X0 = np.array([0.5, 1.0])  # a slope of wavy_bowl where every term of the gradient matters
SIGMA = 0.3


def _batch(x, m):
    return np.broadcast_to(np.asarray(x, float), (m,) + np.shape(x))


def _assert_unbiased(samples, exact, what):
    mean, se = mean_and_stderr(samples)
    z = np.abs(mean - exact) / se
    assert np.all(z < Z_TOL), f"{what}: mean {mean} vs exact {exact} ({z.max():.1f} standard errors)"


# ---------------------------------------------------------------------------
# Unbiasedness against the exact smoothed gradient
# ---------------------------------------------------------------------------

# (estimator options, samples per estimate n, estimates M): M * n = 400,000 evaluations.
SCORE_CASES = {
    "plain": ({}, 1, 400_000),
    "leave-one-out baseline": ({"baseline": True}, 10, 40_000),
    "constant baseline": ({"baseline": 4.0}, 1, 400_000),
    "antithetic": ({"antithetic": True}, 2, 200_000),
    "antithetic and baseline": ({"antithetic": True, "baseline": True}, 10, 40_000),
}


@pytest.mark.parametrize("kind", list(SCORE_CASES))
def test_score_function_is_unbiased(kind, rng):
    opts, n, m = SCORE_CASES[kind]
    g = estimators.score_function(WAVY, _batch(X0, m), sigma=SIGMA, n=n, rng=rng, **opts)
    _assert_unbiased(g, WAVY.smoothed_grad(X0, SIGMA), f"score function, {kind}")


@pytest.mark.parametrize("antithetic, n, m", [(False, 1, 400_000), (True, 2, 200_000)])
def test_reparameterization_is_unbiased(antithetic, n, m, rng):
    g = estimators.reparameterization(WAVY.grad, _batch(X0, m), sigma=SIGMA, n=n, rng=rng,
                                      antithetic=antithetic)
    _assert_unbiased(g, WAVY.smoothed_grad(X0, SIGMA), f"reparameterization, antithetic={antithetic}")


@pytest.mark.parametrize("crn", [True, False])
def test_smoothed_finite_difference_is_unbiased_for_the_difference_of_f_sigma(crn, rng):
    # Unbiased for the central difference of the exact f_sigma (which differs from
    # grad f_sigma by O(delta^2)); compare with that difference, computed exactly.
    delta = 0.05
    g = estimators.smoothed_finite_difference(WAVY, _batch(X0, 200_000), sigma=SIGMA, n=1,
                                              delta=delta, rng=rng, common_random_numbers=crn)
    e = np.eye(2) * delta
    target = (WAVY.smoothed(X0 + e, SIGMA) - WAVY.smoothed(X0 - e, SIGMA)) / (2 * delta)
    _assert_unbiased(g, target, f"smoothed finite difference, crn={crn}")


def test_score_function_handles_a_discontinuous_objective(rng):
    # The point of the score function: it needs values only. On the step, the exact
    # smoothed gradient is phi(x / sigma) / sigma while the pathwise estimate is 0.
    step = objectives.get("step")
    x, sigma = np.array([0.1]), 0.25
    exact = step.smoothed_grad(x, sigma)
    g = estimators.score_function(step, _batch(x, 200_000), sigma=sigma, n=2, rng=rng, antithetic=True)
    _assert_unbiased(g, exact, "score function on the step")
    assert exact[0] > 1.0  # and the estimate is far from the pathwise 0


# ---------------------------------------------------------------------------
# Closed-form single-sample variances for f = x^2 in 1-D
# ---------------------------------------------------------------------------

SQUARE = lambda p: p[..., 0] ** 2  # noqa: E731
SQUARE_GRAD = lambda p: 2 * p  # noqa: E731
XV, SV, M_VAR = 1.3, 0.7, 400_000


def _assert_variance(samples, expected, what):
    var, se = variance_and_stderr(samples)
    z = abs(var - expected) / se
    assert z < Z_TOL, f"{what}: variance {var:.4f} vs closed form {expected:.4f} ({z:.1f} s.e.)"


def test_score_function_single_sample_variance(rng):
    # g = (x + s z)^2 z / s: E g^2 = (x^4 + 18 x^2 s^2 + 15 s^4) / s^2 (E z^2 = 1,
    # E z^4 = 3, E z^6 = 15) and E g = 2x, so Var g = x^4 / s^2 + 14 x^2 + 15 s^2.
    g = estimators.score_function(SQUARE, _batch([XV], M_VAR), sigma=SV, n=1, rng=rng)
    _assert_variance(g, XV**4 / SV**2 + 14 * XV**2 + 15 * SV**2, "score function")


def test_antithetic_pair_variance(rng):
    # One pair: ((x + s z)^2 - (x - s z)^2) z / (2 s) = 2 x z^2, Var = 4 x^2 Var(z^2) = 8 x^2.
    g = estimators.score_function(SQUARE, _batch([XV], M_VAR), sigma=SV, n=2, rng=rng, antithetic=True)
    _assert_variance(g, 8 * XV**2, "antithetic pair")


def test_pathwise_single_sample_variance(rng):
    # grad f(x + s z) = 2 (x + s z): Var = 4 s^2, whatever x.
    g = estimators.reparameterization(SQUARE_GRAD, _batch([XV], M_VAR), sigma=SV, n=1, rng=rng)
    _assert_variance(g, 4 * SV**2, "pathwise")


def test_pathwise_antithetic_pair_is_exact_for_a_quadratic(rng):
    # (2 (x + s z) + 2 (x - s z)) / 2 = 2x: the odd part cancels and nothing is left.
    g = estimators.reparameterization(SQUARE_GRAD, _batch([XV], 1000), sigma=SV, n=2, rng=rng,
                                      antithetic=True)
    np.testing.assert_allclose(g, 2 * XV, rtol=1e-14)


# ---------------------------------------------------------------------------
# Variance reduction, measured on a nonconstant function
# ---------------------------------------------------------------------------


def _total_variance(g):
    """Trace of the covariance of the estimates and its standard error."""
    parts = [variance_and_stderr(g[:, i]) for i in range(g.shape[-1])]
    return sum(p[0] for p in parts), np.sqrt(sum(p[1] ** 2 for p in parts))


def _assert_reduces(plain, reduced, what, margin=1.2):
    vp, sp = _total_variance(plain)
    vr, sr = _total_variance(reduced)
    # Pessimistic ratio: numerator 5 s.e. low, denominator 5 s.e. high.
    low = (vp - Z_TOL * sp) / (vr + Z_TOL * sr)
    assert low > margin, f"{what}: variance ratio {vp / vr:.2f} (pessimistic {low:.2f})"


@pytest.mark.parametrize("option", ["baseline", "antithetic"])
def test_score_function_variance_reduction(option, rng):
    # Same budget n = 10 evaluations per estimate; measured ratio ~4-5 on wavy_bowl.
    x = _batch(X0, 40_000)
    plain = estimators.score_function(WAVY, x, sigma=SIGMA, n=10, rng=rng)
    reduced = estimators.score_function(WAVY, x, sigma=SIGMA, n=10, rng=rng, **{option: True})
    _assert_reduces(plain, reduced, f"score function {option}", margin=2.0)


def test_pathwise_antithetic_variance_reduction(rng):
    # Antithetic pairs cancel the linear part of grad f(x + s z); on wavy_bowl what is
    # left still varies, so the gain is modest (measured ~1.3): require > 1.1.
    x = _batch(X0, 100_000)
    plain = estimators.reparameterization(WAVY.grad, x, sigma=SIGMA, n=10, rng=rng)
    anti = estimators.reparameterization(WAVY.grad, x, sigma=SIGMA, n=10, rng=rng, antithetic=True)
    _assert_reduces(plain, anti, "pathwise antithetic", margin=1.1)


def test_common_random_numbers_keep_variance_bounded(rng):
    x = _batch(X0, 100_000)
    var = {}
    for crn in (True, False):
        for delta in (1e-2, 1e-3, 1e-4):
            g = estimators.smoothed_finite_difference(WAVY, x, sigma=SIGMA, n=1, delta=delta,
                                                      rng=rng, common_random_numbers=crn)
            var[crn, delta] = _total_variance(g)
    # With CRN the difference quotient tends to grad f(x + s z): its variance converges
    # as delta -> 0 (a change of O(delta^2) between 1e-2 and 1e-4).
    (v2, s2), (v4, s4) = var[True, 1e-2], var[True, 1e-4]
    assert abs(v4 - v2) < Z_TOL * np.hypot(s2, s4) + 0.01 * v2
    # Without, the two sides' noise adds: Var ~ Var f / (2 delta^2), so dividing delta
    # by 10 multiplies the variance by 100 (the O(delta^2) change of Var f is negligible).
    for small, big in ((1e-3, 1e-2), (1e-4, 1e-3)):
        (vs, ss), (vb, sb) = var[False, small], var[False, big]
        ratio = vs / vb
        rel = np.hypot(ss / vs, sb / vb)
        assert abs(ratio / 100 - 1) < Z_TOL * rel, f"no-CRN variance ratio {ratio:.1f}, expected 100"
    # And CRN is far better at small delta.
    assert var[False, 1e-4][0] > 1e4 * var[True, 1e-4][0]


# ---------------------------------------------------------------------------
# Shapes and per-run sigma
# ---------------------------------------------------------------------------

CUBE = lambda p: np.sum(p**3, axis=-1)  # noqa: E731
CUBE_GRAD = lambda p: 3 * p**2  # noqa: E731


def _all_estimators(x, sigma, n, rng, delta=0.1):
    yield "score", estimators.score_function(CUBE, x, sigma=sigma, n=n, rng=rng)
    yield "score+baseline", estimators.score_function(CUBE, x, sigma=sigma, n=n, rng=rng, baseline=True)
    yield "score+antithetic", estimators.score_function(CUBE, x, sigma=sigma, n=n, rng=rng, antithetic=True)
    yield "pathwise", estimators.reparameterization(CUBE_GRAD, x, sigma=sigma, n=n, rng=rng)
    yield "pathwise+antithetic", estimators.reparameterization(CUBE_GRAD, x, sigma=sigma, n=n, rng=rng,
                                                              antithetic=True)
    for crn in (True, False):
        yield f"sfd crn={crn}", estimators.smoothed_finite_difference(
            CUBE, x, sigma=sigma, n=n, delta=delta, rng=rng, common_random_numbers=crn)


@pytest.mark.parametrize("shape", [(2,), (5, 2), (3, 4, 2), (1,), (7, 1), (2, 3, 1)])
def test_every_shape_works(shape, rng):
    x = rng.standard_normal(shape)
    for name, g in _all_estimators(x, 0.5, 4, rng):
        assert g.shape == shape, f"{name}: {g.shape} for x of shape {shape}"
        assert np.all(np.isfinite(g)), name
    for scheme in ("central", "forward", "backward"):
        assert estimators.finite_difference(CUBE, x, scheme=scheme).shape == shape
    assert estimators.hessian(CUBE, x).shape == shape + shape[-1:]


def test_batch_entries_get_independent_samples(rng):
    g = estimators.score_function(CUBE, np.zeros((1000, 2)), sigma=0.5, n=4, rng=rng)
    assert len(np.unique(g[:, 0])) == 1000


def test_per_run_sigma_broadcasts(rng):
    # f = sum x^3 at x = 0: grad f_sigma = 3 sigma^2 in every coordinate, so runs with
    # different sigma must give different, correct means. x has batch shape (M, 3).
    sig = np.array([0.5, 1.0, 2.0])
    m = 40_000
    x = np.zeros((m, 3, 2))
    exact = np.broadcast_to((3 * sig**2)[:, None], (3, 2))
    for name, g in _all_estimators(x, sig, 4, rng):
        assert g.shape == x.shape, name
        mean, se = mean_and_stderr(g)
        if name.startswith("sfd"):
            # The central difference of x^3 is 3 x^2 + delta^2 (delta = 0.1).
            z = np.abs(mean - (exact + 0.1**2)) / se
        else:
            z = np.abs(mean - exact) / se
        assert np.all(z < Z_TOL), f"{name}: {mean} vs {exact}"


# ---------------------------------------------------------------------------
# Deterministic finite differences and the Hessian
# ---------------------------------------------------------------------------


def _smooth2(p):
    return np.exp(np.sin(p[..., 0])) + p[..., 0] * p[..., 1] ** 3


def _smooth2_grad(p):
    x, y = p[..., 0], p[..., 1]
    return np.stack([np.cos(x) * np.exp(np.sin(x)) + y**3, 3 * x * y**2], axis=-1)


@pytest.mark.parametrize("scheme, order", [("forward", 1), ("backward", 1), ("central", 2)])
def test_finite_difference_error_order(scheme, order):
    # Truncation error C h^order + O(h^(order+1)): halving h divides it by 2^order,
    # up to a relative O(h f'''/f'') correction (h <= 1e-2 here: within 10% at this x,
    # chosen where no second derivative is small).
    x = np.array([0.2, -1.1])
    exact = _smooth2_grad(x)
    errs = [np.abs(estimators.finite_difference(_smooth2, x, h=h, scheme=scheme) - exact)
            for h in (1e-2, 5e-3, 2.5e-3)]
    for big, small in zip(errs, errs[1:]):
        ratio = big / small
        np.testing.assert_allclose(ratio, 2.0**order, rtol=0.1)
    # One-sided errors have opposite signs for forward and backward (h f''/2 vs -h f''/2).
    if scheme != "central":
        other = "backward" if scheme == "forward" else "forward"
        a = estimators.finite_difference(_smooth2, x, h=1e-3, scheme=scheme) - exact
        b = estimators.finite_difference(_smooth2, x, h=1e-3, scheme=other) - exact
        assert np.all(np.sign(a) == -np.sign(b))


def test_finite_difference_default_step_is_near_optimal():
    # Default h balances truncation and rounding: error ~ eps^(1/2) one-sided and
    # eps^(2/3) ~ 4e-11 central (times derivative scales of order 10 here).
    x = np.array([0.7, -1.1])
    exact = _smooth2_grad(x)
    assert np.abs(estimators.finite_difference(_smooth2, x) - exact).max() < 1e-9
    assert np.abs(estimators.finite_difference(_smooth2, x, scheme="forward") - exact).max() < 1e-6


def _rosen_hessian(p):
    x, y = p[..., 0], p[..., 1]
    return np.stack([np.stack([1200 * x**2 - 400 * y + 2, -400 * x], -1),
                     np.stack([-400 * x, 200 * np.ones_like(x)], -1)], -2)


def test_hessian_matches_rosenbrock(rng):
    f = objectives.get("rosenbrock")
    x = np.stack([rng.uniform(-2, 2, 100), rng.uniform(-1, 3, 100)], axis=-1)
    h_fd = estimators.hessian(f, x)
    assert h_fd.shape == (100, 2, 2)
    np.testing.assert_array_equal(h_fd, np.swapaxes(h_fd, -1, -2))
    # Default h = eps^(1/4) max(1, |x|_inf): truncation <= h^2 * max|f''''| = h^2 * 2400,
    # rounding ~ 4 eps |f| / h^2 (four values of f, divided by 4 h^2).
    h = EPS**0.25 * np.maximum(1.0, np.abs(x).max(-1))
    bound = 2400 * h**2 + 10 * EPS * np.maximum(1.0, np.abs(f(x))) / h**2
    err = np.abs(h_fd - _rosen_hessian(x)).max(axis=(-1, -2))
    assert np.all(err < bound), f"worst Hessian error {err.max():.2e}"


def test_hessian_of_a_quadratic_form():
    a = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, -1.0], [0.0, -1.0, 4.0]])
    f = lambda p: 0.5 * np.einsum("...i,ij,...j->...", p, a, p)  # noqa: E731
    h = estimators.hessian(f, np.zeros((2, 3)) + [1.0, -2.0, 0.5])
    np.testing.assert_allclose(h, np.broadcast_to(a, (2, 3, 3)), atol=1e-6)


def test_hessian_from_grad_matches_rosenbrock(rng):
    f = objectives.get("rosenbrock")
    x = np.stack([rng.uniform(-2, 2, 100), rng.uniform(-1, 3, 100)], axis=-1)
    h_fd = estimators.hessian_from_grad(f.grad, x)
    assert h_fd.shape == (100, 2, 2)
    np.testing.assert_array_equal(h_fd, np.swapaxes(h_fd, -1, -2))
    # Default h = eps^(1/3) max(1, |x|_inf). Truncation of a central difference of the
    # gradient: h^2 / 6 times the largest third derivative of the gradient (2400 for
    # rosenbrock's 100 x^4 term), i.e. 400 h^2; rounding ~ eps |grad| / h.
    h = EPS ** (1 / 3) * np.maximum(1.0, np.abs(x).max(-1))
    gmax = np.abs(f.grad(x)).max(-1)
    bound = 400 * h**2 + 10 * EPS * np.maximum(1.0, gmax) / h
    err = np.abs(h_fd - _rosen_hessian(x)).max(axis=(-1, -2))
    assert np.all(err < bound), f"worst Hessian error {err.max():.2e}"
    # the gradient route is more accurate than differencing values twice
    assert np.median(err) < np.median(np.abs(estimators.hessian(f, x) - _rosen_hessian(x)))


def test_hessian_from_grad_rejects_bad_input():
    with pytest.raises(TypeError, match="'grad'"):
        estimators.hessian_from_grad("not a function", [1.0, 2.0])
    with pytest.raises(ValueError, match="'h'"):
        estimators.hessian_from_grad(lambda p: 2 * p, [1.0, 2.0], h=-1.0)
