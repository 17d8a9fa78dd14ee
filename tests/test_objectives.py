"""The gallery: gradients, known minimizers and exact Gaussian smoothing.

Every check compares the closed forms in :mod:`smoothopt.objectives` with an
independent computation (finite differences, Gauss-Hermite quadrature, Monte
Carlo, dense grids), never with numbers copied from the implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import build, case_id, gallery_cases, inside
from smoothopt import estimators, objectives, smoothing

EPS = np.finfo(float).eps
CASES = gallery_cases()
WITH_GRAD = [c for c in CASES if build(c).has_grad]
WITH_SMOOTHING = [c for c in CASES if build(c).has_smoothing]
WITH_MINIMIZERS = [c for c in CASES if build(c).minimizers is not None]
SMOOTH_MINIMIZERS = [c for c in WITH_MINIMIZERS if build(c).has_grad]
# Gauss-Hermite has no geometric rate on the step's jump (test_smoothing shows it), and a
# 10-D tensor rule is out of reach except for polynomials (3 nodes per axis are exact).
QUAD_CASES = [c for c in WITH_SMOOTHING
              if c[0] != "step" and (build(c).dim <= 3 or c[0] in ("bowl", "rosenbrock"))]
SIGMAS = (0.05, 0.3, 1.0)

# Central differences with the default step h = eps^(1/3) max(1, |x|) ~ 6e-6 |x| err by
# h^2 |f'''| / 6 (truncation) + eps |f| / h (rounding). The largest third derivative in a
# window of the gallery is wiggly_parabola's 15 * 900 = 13500 (and Rastrigin's
# 20 pi * (2 pi)^2 ~ 2500), so truncation <= 6e-11 * 13500 / 6 ~ 1.4e-7, and rounding is
# ~4e-11 |f|. Relative to max(1, |f|, |grad|) the error is therefore below ~2e-7 and we
# allow 1e-6; a wrong gradient (a sign, a factor 2, a missing term) is off by O(1).
FD_RTOL = 1e-6


def _fd_scale(values, grads):
    return np.maximum(1.0, np.maximum(np.abs(values)[..., None], np.abs(grads)))


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", WITH_GRAD, ids=case_id)
def test_gradient_matches_central_differences(case, rng):
    f = build(case)
    x = inside(f, rng, 200)
    g = f.grad(x)
    fd = estimators.finite_difference(f, x, scheme="central")
    assert g.shape == x.shape
    err = np.abs(g - fd) / _fd_scale(f(x), g)
    assert err.max() < FD_RTOL, f"{f.name}: worst relative error {err.max():.2e}"


@pytest.mark.parametrize("case", WITH_GRAD, ids=case_id)
def test_gradient_of_single_point_and_batches(case, rng):
    f = build(case)
    x = inside(f, rng, 12).reshape(3, 4, f.dim)
    g = f.grad(x)
    assert g.shape == (3, 4, f.dim)
    # A single point gives the same gradient as its entry in the batch.
    np.testing.assert_array_equal(f.grad(x[1, 2]), g[1, 2])
    assert np.shape(f(x[1, 2])) == ()


def test_ripple_cone_tip_gets_zero_subgradient():
    f = objectives.get("ripple")
    # sin(r) ~ r near 0: a cone, so the origin is a local minimum with no gradient.
    assert np.array_equal(f.grad([0.0, 0.0]), [0.0, 0.0])
    with np.errstate(divide="raise", invalid="raise"):  # no 0/0 on the way
        g = f.grad(np.array([[0.0, 0.0], [1e-150, 0.0], [0.0, -1e-120]]))
    assert np.all(np.isfinite(g))
    # Unit-length subgradient direction just off the tip: grad = cos(r) x / r -> x / r.
    np.testing.assert_allclose(g[1:], [[1.0, 0.0], [0.0, -1.0]], rtol=1e-12)
    ring = 1e-3 * np.stack([np.cos(np.linspace(0, 2 * np.pi, 64)),
                            np.sin(np.linspace(0, 2 * np.pi, 64))], axis=-1)
    assert np.all(f(ring) > f([0.0, 0.0]))


@pytest.mark.parametrize("dim", [1, 2, 10])
def test_ackley_centre_gets_zero_subgradient(dim):
    f = objectives.get("ackley", dim=dim)
    with np.errstate(divide="raise", invalid="raise"):
        g = f.grad(np.zeros(dim))
    assert np.array_equal(g, np.zeros(dim))
    # f(0) = -20 - e + 20 + e = 0, up to rounding of the constants.
    assert abs(float(f(np.zeros(dim)))) < 8 * EPS * 20


def test_sinc_gradient_is_continuous_across_its_series_branch():
    f = objectives.get("sinc")
    # The gradient switches from the exact formula to a Taylor series at |x| = 1e-4;
    # the series' first neglected term is pi^6 x^5 / 840 ~ 1e-20 there.
    x = np.array([[1e-4 * (1 - 1e-9)], [1e-4 * (1 + 1e-9)], [-1e-4 * (1 - 1e-9)], [-1e-4 * (1 + 1e-9)]])
    g = f.grad(x)[:, 0]
    np.testing.assert_allclose(g[0], g[1], rtol=1e-7)
    np.testing.assert_allclose(g[2], g[3], rtol=1e-7)
    assert f.grad([0.0])[0] == 0.0
    # -sinc''(0) = pi^2 / 3, so grad ~ (pi^2 / 3) x near 0.
    np.testing.assert_allclose(f.grad([5e-5])[0], math.pi**2 / 3 * 5e-5, rtol=1e-8)


# ---------------------------------------------------------------------------
# Known minimizers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", SMOOTH_MINIMIZERS, ids=case_id)
def test_minimizers_are_stationary_where_smooth(case):
    f = build(case)
    g = f.grad(f.minimizers)
    # The minimizers are given to 12 digits, so |grad| <= |Hessian| * 1e-12 ~ 1e-9 here.
    assert np.abs(g).max() < 1e-8, f"{f.name}: |grad| = {np.abs(g).max():.2e} at its minimizer"


@pytest.mark.parametrize("case", WITH_MINIMIZERS, ids=case_id)
def test_minimizers_are_lowest_in_a_dense_neighbourhood(case, rng):
    f = build(case)
    for m in f.minimizers:
        # 4000 points at distances from 1e-8 to 1e-1 in random directions.
        u = rng.standard_normal((4000, f.dim))
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        r = 10.0 ** rng.uniform(-8, -1, size=(4000, 1))
        fm = float(f(m))
        # Rounding of f itself: a few ulps of its largest term.
        slack = 1e-13 * (1 + abs(fm))
        assert f(m + r * u).min() >= fm - slack, f"{f.name}: a point near {m} is lower"


@pytest.mark.parametrize("case", WITH_MINIMIZERS, ids=case_id)
def test_no_point_of_the_window_is_lower(case, rng):
    f = build(case)
    lo, hi = f.bounds[:, 0], f.bounds[:, 1]
    if f.dim <= 3:
        per_axis = {1: 200_001, 2: 1001, 3: 101}[f.dim]
        axes = [np.linspace(lo[i], hi[i], per_axis) for i in range(f.dim)]
        pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, f.dim)
    else:  # a grid is out of reach in 10-D: 200,000 uniform points instead
        pts = inside(f, rng, 200_000)
    best = f.minimum
    assert best is not None
    np.testing.assert_allclose(f(f.minimizers), best, atol=1e-12)
    assert f(pts).min() >= best - 1e-13 * (1 + abs(best)), f"{f.name}: the grid found a lower point"


def test_objectives_without_minimizers_say_why():
    # step: every x <= 0 is a minimizer, so there is no isolated one to list.
    step = objectives.get("step")
    assert step.minimizers is None and step.minimum is None
    xs = np.linspace(-1, 1, 2001)[:, None]
    assert step(xs).min() == 0.0 and np.all(step(xs[xs[:, 0] <= 0]) == 0.0)
    # monkey_saddle is unbounded below: f(-t, 0) = -t^3.
    ms = objectives.get("monkey_saddle")
    assert ms.minimizers is None
    t = np.array([1.0, 10.0, 100.0])
    np.testing.assert_array_equal(ms(np.stack([-t, 0 * t], axis=-1)), -(t**3))


def test_ripple_minimizers_all_lie_on_the_bottom_ring():
    f = objectives.get("ripple")
    np.testing.assert_allclose(np.linalg.norm(f.minimizers, axis=-1), 1.5 * math.pi)
    np.testing.assert_allclose(f(f.minimizers), -1.0, atol=1e-15)


# ---------------------------------------------------------------------------
# Exact smoothing
# ---------------------------------------------------------------------------

# Gauss-Hermite with K nodes per axis is exact for polynomials of degree 2K - 1 and
# converges geometrically for the entire functions of the gallery. At these orders its
# own error is below 1e-9 everywhere in the windows for sigma <= 1 (the slowest case is
# nightmare's narrow pit, width 0.29 sigma at sigma = 1: 3e-10 at K = 100), so 1e-8
# relative to max(1, |f_sigma|) is tight; a wrong closed form is off by O(sigma^2).
QUAD_ORDER = {1: 120, 2: 100, 3: 40}
QUAD_RTOL = 1e-8


@pytest.mark.parametrize("case", QUAD_CASES, ids=case_id)
@pytest.mark.parametrize("sigma", SIGMAS)
def test_exact_smoothing_matches_quadrature(case, sigma, rng):
    f = build(case)
    if f.dim > 3:
        order = 3  # a polynomial of degree <= 4 per coordinate: 3 nodes are exact (3^10 nodes)
        x = inside(f, rng, 4)
    else:
        order = QUAD_ORDER[f.dim]
        x = inside(f, rng, 8 if f.dim == 3 else 20)
    exact = f.smoothed(x, sigma)
    quad = smoothing.quadrature(f, x, sigma=sigma, order=order)
    err = np.abs(exact - quad) / np.maximum(1.0, np.abs(exact))
    assert err.max() < QUAD_RTOL, f"{f.name}, sigma={sigma}: {err.max():.2e}"


@pytest.mark.parametrize("case", WITH_SMOOTHING, ids=case_id)
def test_exact_smoothing_matches_monte_carlo(case, rng):
    f = build(case)
    k, n = (5, 40_000) if f.dim <= 3 else (2, 20_000)
    x = inside(f, rng, k)
    xs = np.repeat(x[None], len(SIGMAS), axis=0)  # (3, k, d): every point at every sigma
    sig = np.array(SIGMAS)[:, None] * np.ones((1, k))
    est, se = smoothing.monte_carlo(f, xs, sigma=sig, n=n, rng=rng, stderr=True)
    exact = f.smoothed(xs, sig)
    # Unbiased with standard error se: |error| < 5 se fails with probability 6e-7 each.
    # Where all n samples agree (the step far from its jump) the sample se is 0; one
    # differing sample would move the mean by 1/n, so 1/n is the resolution floor.
    z = np.abs(est - exact) / np.maximum(se, 1.0 / n)
    assert z.max() < 5, f"{f.name}: worst Monte Carlo discrepancy {z.max():.1f} standard errors"


@pytest.mark.parametrize("case", WITH_SMOOTHING, ids=case_id)
@pytest.mark.parametrize("sigma", SIGMAS)
def test_smoothed_grad_matches_differences_of_smoothed(case, sigma, rng):
    f = build(case)
    x = inside(f, rng, 50)
    g = f.smoothed_grad(x, sigma)
    assert g.shape == x.shape
    fd = estimators.finite_difference(lambda p: f.smoothed(p, sigma), x)
    # Same error budget as FD_RTOL: smoothing only shrinks the derivatives.
    err = np.abs(g - fd) / _fd_scale(f.smoothed(x, sigma), g)
    assert err.max() < FD_RTOL, f"{f.name}, sigma={sigma}: {err.max():.2e}"


@pytest.mark.parametrize("case", WITH_SMOOTHING, ids=case_id)
def test_sigma_zero_smoothing_is_f_itself(case, rng):
    f = build(case)
    x = inside(f, rng, 100)
    np.testing.assert_allclose(f.smoothed(x, 0.0), f(x), rtol=1e-13, atol=1e-13)
    if f.has_grad:
        np.testing.assert_allclose(f.smoothed_grad(x, 0.0), f.grad(x), rtol=1e-13, atol=1e-13)
    else:  # the step: zero derivative away from the jump
        assert np.array_equal(f.smoothed_grad(x, 0.0), np.zeros_like(x))


@pytest.mark.parametrize("case", WITH_SMOOTHING, ids=case_id)
def test_per_run_sigma_broadcasts(case, rng):
    f = build(case)
    x = inside(f, rng, 6).reshape(2, 3, f.dim)
    sig = np.array([[0.1, 0.5, 1.0], [0.2, 0.0, 0.7]])
    val, grad = f.smoothed(x, sig), f.smoothed_grad(x, sig)
    assert val.shape == (2, 3) and grad.shape == (2, 3, f.dim)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(val[i, j], f.smoothed(x[i, j], sig[i, j]), rtol=1e-13, atol=1e-14)
            np.testing.assert_allclose(grad[i, j], f.smoothed_grad(x[i, j], sig[i, j]), rtol=1e-13, atol=1e-14)


def test_step_smoothing_is_the_normal_cdf_from_monte_carlo(rng):
    # E 1[x + sigma z > 0] = P(z > -x / sigma): check the closed form's symmetry and
    # limits from the definition (f_sigma(0) = 1/2, f_sigma(x) + f_sigma(-x) = 1).
    f = objectives.get("step")
    x = np.linspace(-1, 1, 41)[:, None]
    for sigma in (0.05, 0.3, 1.0):
        v = f.smoothed(x, sigma)
        np.testing.assert_allclose(v + v[::-1], 1.0, atol=1e-15)
        assert v[20] == 0.5
        assert np.all(np.diff(v) >= 0) and v[21] > v[20]


# ---------------------------------------------------------------------------
# What is not available, and says so
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in objectives.names() if not objectives.get(n).has_grad])
def test_missing_gradient_raises_and_says_what_to_use(name):
    f = objectives.get(name)
    with pytest.raises(objectives.NotAvailableError, match=r"smoothed_grad|score_function"):
        f.grad(f.bounds.mean(axis=1))


@pytest.mark.parametrize("name", [n for n in objectives.names() if not objectives.get(n).has_smoothing])
def test_missing_smoothing_raises_and_says_what_to_use(name):
    f = objectives.get(name)
    x = f.bounds.mean(axis=1)
    for method in (f.smoothed, f.smoothed_grad):
        with pytest.raises(objectives.NotAvailableError, match=r"quadrature.*monte_carlo"):
            method(x, 0.3)


def test_not_available_is_a_not_implemented_error():
    # Code that catches NotImplementedError (the standard idiom) also catches it.
    assert issubclass(objectives.NotAvailableError, NotImplementedError)


def test_gallery_holds_every_contract_name():
    contract = {
        "wavy_bowl", "quantized_wavy_bowl", "sinc", "floored_sinc", "bowl", "ripple",
        "monkey_saddle", "matyas", "easom", "nightmare", "quartic", "wiggly_parabola",
        "step", "rosenbrock", "rastrigin", "ackley",
    }
    assert contract <= set(objectives.names())
    for name in objectives.names():
        f = objectives.get(name)
        assert f.name == name and f.bounds.shape == (f.dim, 2)
        assert np.all(f.bounds[:, 0] < f.bounds[:, 1])
