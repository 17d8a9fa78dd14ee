"""Monte Carlo and Gauss-Hermite estimates of f_sigma for any callable."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import variance_and_stderr
from smoothopt import objectives, smoothing

POLY = lambda p: p[..., 0] ** 5 - 2 * p[..., 0] ** 4 + p[..., 0]  # noqa: E731


def _poly_smoothed(x, s):
    # Gaussian moments E z^2 = 1, E z^4 = 3, odd moments 0:
    # E (x + s z)^5 = x^5 + 10 x^3 s^2 + 15 x s^4,  E (x + s z)^4 = x^4 + 6 x^2 s^2 + 3 s^4.
    return (x**5 + 10 * x**3 * s**2 + 15 * x * s**4) - 2 * (x**4 + 6 * x**2 * s**2 + 3 * s**4) + x


def test_gauss_hermite_rule_integrates_gaussian_moments():
    for d in (1, 2, 3):
        z, w = smoothing.gauss_hermite(4, d)
        assert z.shape == (4**d, d) and w.shape == (4**d,)
        assert w.sum() == pytest.approx(1.0, abs=1e-14) and np.all(w > 0)
        np.testing.assert_allclose(w @ z, 0.0, atol=1e-14)
        np.testing.assert_allclose(w @ z**2, 1.0, rtol=1e-13)
        np.testing.assert_allclose(w @ z**4, 3.0, rtol=1e-13)
        np.testing.assert_allclose(w @ z**6, 15.0, rtol=1e-13)  # degree 6 <= 2 * 4 - 1
    z, w = smoothing.gauss_hermite(4, 2)
    assert w @ (z[:, 0] ** 2 * z[:, 1] ** 2) == pytest.approx(1.0)  # independence


@pytest.mark.parametrize("order", [3, 4, 10])
def test_quadrature_is_exact_for_polynomials_of_degree_below_2_order(order):
    # Degree 5 <= 2 * 3 - 1: exact from order 3 on.
    x = np.linspace(-2, 2, 9)[:, None]
    for s in (0.1, 0.7, 2.0):
        np.testing.assert_allclose(smoothing.quadrature(POLY, x, sigma=s, order=order),
                                   _poly_smoothed(x[:, 0], s), rtol=1e-12, atol=1e-11)


def test_quadrature_with_too_few_nodes_is_wrong_for_that_degree():
    # Order 2 integrates degree <= 3 only: it gives E z^4 = 1 instead of 3, so the
    # s^4 terms come out as 5 x s^4 - 2 s^4 instead of 15 x s^4 - 6 s^4 (off by 1 at x = 0.5).
    x = np.array([[0.5]])
    err = abs(smoothing.quadrature(POLY, x, sigma=1.0, order=2)[0] - _poly_smoothed(0.5, 1.0))
    assert err == pytest.approx(10 * 0.5 - 4, rel=1e-12)


def test_quadrature_converges_geometrically_on_a_smooth_function():
    f = objectives.get("wavy_bowl")
    x = np.array([[0.3, 1.7], [2.5, -0.5]])
    exact = f.smoothed(x, 0.4)
    errs = [np.abs(smoothing.quadrature(f, x, sigma=0.4, order=k) - exact).max() for k in (5, 10, 20, 30)]
    # Each step in order cuts the error by orders of magnitude until rounding (~1e-15).
    assert errs[0] > 1e-3
    assert errs[1] < 1e-2 * errs[0] and errs[2] < 1e-4 * errs[1]
    assert errs[3] < 1e-13


def test_quadrature_converges_only_slowly_on_a_jump():
    # The step's smoothing is Phi(x / sigma); Gauss-Hermite has no geometric rate on a
    # jump. Here the jump sits at z = -0.026, between the two middle nodes of every even
    # order, so the error stays ~ phi(0) * 0.026 = 0.01 however many nodes are used:
    # this is why the book smooths discontinuous objectives by Monte Carlo or in closed form.
    f = objectives.get("step")
    x = np.array([[0.013]])
    errs = [abs(smoothing.quadrature(f, x, sigma=0.5, order=k)[0] - f.smoothed(x, 0.5)[0])
            for k in (20, 200)]
    assert min(errs) > 5e-3


@pytest.mark.parametrize("shape", [(2,), (5, 2), (3, 4, 2), (1,), (6, 1), (2, 3, 1)])
def test_shapes(shape, rng):
    x = rng.uniform(-1, 1, shape)
    f = lambda p: np.sum(np.cos(p), axis=-1)  # noqa: E731
    est, se = smoothing.monte_carlo(f, x, sigma=0.3, n=8, rng=rng, stderr=True)
    assert est.shape == shape[:-1] and se.shape == shape[:-1]
    assert smoothing.monte_carlo(f, x, sigma=0.3, n=8, rng=rng).shape == shape[:-1]
    assert smoothing.quadrature(f, x, sigma=0.3, order=5).shape == shape[:-1]


def test_per_point_sigma_broadcasts():
    f = objectives.get("wavy_bowl")
    x = np.array([[[0.3, 1.7], [2.5, -0.5], [1.0, 1.0]]])  # (1, 3, 2)
    sig = np.array([0.1, 0.5, 1.0])
    quad = smoothing.quadrature(f, x, sigma=sig, order=60)
    np.testing.assert_allclose(quad, f.smoothed(x, sig), rtol=1e-10)
    for j in range(3):
        assert quad[0, j] == pytest.approx(float(smoothing.quadrature(f, x[0, j], sigma=sig[j], order=60)), rel=1e-14)


def test_monte_carlo_standard_error_is_the_spread_of_the_estimates(rng):
    # 4000 independent estimates of n = 50 samples each, in one call: their spread must
    # match the standard error each one reports. The sample sd of 4000 values has
    # relative standard error ~1/sqrt(2 * 4000) = 1.1% (times a kurtosis factor).
    f = objectives.get("wavy_bowl")
    x = np.broadcast_to([0.5, 1.0], (4000, 2))
    est, se = smoothing.monte_carlo(f, x, sigma=0.5, n=50, rng=rng, stderr=True)
    var, var_se = variance_and_stderr(est)
    mean_reported = np.mean(se**2)
    assert abs(var - mean_reported) < 5 * var_se
    # and the estimates are centred on the exact value
    assert abs(est.mean() - f.smoothed([0.5, 1.0], 0.5)) < 5 * np.sqrt(var / 4000)


def test_monte_carlo_is_reproducible(rng):
    f = objectives.get("rastrigin", dim=3)
    x = np.zeros((4, 3))
    a = smoothing.monte_carlo(f, x, sigma=0.2, n=100, rng=42)
    b = smoothing.monte_carlo(f, x, sigma=0.2, n=100, rng=np.random.default_rng(42))
    c = smoothing.monte_carlo(f, x, sigma=0.2, n=100, rng=43)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len(np.unique(a)) == 4  # each point gets its own samples
