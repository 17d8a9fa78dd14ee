"""Tests of smoothopt.variational: unbiased gradients against closed forms, shapes, seeds, errors."""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import objectives, optimizers, variational

BOWL = objectives.get("bowl")
SQ = lambda x: np.sum(x**2, axis=-1)  # noqa: E731  J = |mu|^2 + tr(Sigma)


def _check_unbiased(estimate, exact, samples):
    """|mean - exact| within 5 standard errors, coordinate by coordinate."""
    mean = samples.mean(axis=0)
    se = samples.std(axis=0) / np.sqrt(samples.shape[0])
    np.testing.assert_array_less(np.abs(mean - exact), 5 * se + 1e-12)


@pytest.mark.parametrize("baseline", [False, True])
def test_isotropic_gradients_unbiased(baseline):
    # f = |x|^2: J = |mu|^2 + d sigma^2, dJ/dmu = 2 mu, dJ/dlog sigma = 2 d sigma^2
    mu, sigma, d = np.array([1.0, -2.0, 0.5]), 0.7, 3
    reps = 2000
    g_mu, g_s = variational.score_gradients(SQ, np.broadcast_to(mu, (reps, d)), sigma, n=500,
                                            rng=0, baseline=baseline)
    _check_unbiased(g_mu.mean(0), 2 * mu, g_mu)
    _check_unbiased(g_s.mean(0), 2 * d * sigma**2, g_s)


def test_diagonal_gradients_unbiased():
    mu, sigma = np.array([1.0, -2.0]), np.array([0.3, 1.5])
    g_mu, g_s = variational.score_gradients(SQ, np.broadcast_to(mu, (2000, 2)), sigma, n=500, rng=1,
                                            covariance="diagonal")
    _check_unbiased(None, 2 * mu, g_mu)
    _check_unbiased(None, 2 * sigma**2, g_s)


def test_full_gradients_unbiased():
    # J = |mu|^2 + sum_ij L_ij^2: dJ/dL_ij = 2 L_ij, dJ/dlog L_ii = 2 L_ii^2
    mu = np.array([0.5, -1.0])
    L = np.array([[0.8, 0.0], [0.4, 0.5]])
    g_mu, g_L = variational.score_gradients(SQ, np.broadcast_to(mu, (2000, 2)), L, n=500, rng=2,
                                            covariance="full")
    exact = 2 * L
    exact[[0, 1], [0, 1]] = 2 * np.diag(L) ** 2
    _check_unbiased(None, 2 * mu, g_mu)
    _check_unbiased(None, exact, g_L)
    assert np.all(g_L[:, 0, 1] == 0)


def test_full_reduces_to_isotropic():
    mu = np.array([[0.3, 0.1]])
    a = variational.score_gradients(SQ, mu, 0.5, n=100, rng=3)
    b = variational.score_gradients(SQ, mu, 0.5 * np.eye(2), n=100, rng=3, covariance="full")
    np.testing.assert_allclose(a[0], b[0])
    np.testing.assert_allclose(a[1], np.trace(b[1], axis1=-2, axis2=-1))


def test_utilities():
    for n in (2, 5, 10, 101):
        u = variational.utilities(n)
        assert abs(u.sum()) < 1e-12 and np.all(np.diff(u) <= 0)
        assert np.all(u[-(-n // 2) :] == -1 / n)  # ranks k >= n/2 + 1 get only the -1/n


def test_rank_invariance():
    # NES sees only the ranking: an increasing transformation of f changes nothing
    x0 = np.full((5, 2), 2.0)
    a = variational.nes(BOWL, x0, steps=30, n=8, rng=0)
    b = variational.nes(lambda x: np.exp(BOWL(x)) - 7, x0, steps=30, n=8, rng=0)
    np.testing.assert_array_equal(a.path, b.path)


@pytest.mark.parametrize("covariance, sshape", [("isotropic", ()), ("diagonal", (2,)), ("full", (2, 2))])
@pytest.mark.parametrize("method", ["variational", "nes"])
def test_shapes_seeds_and_convergence_on_bowl(method, covariance, sshape):
    x0 = np.full((50, 2), 3.0)
    if method == "nes":
        run = lambda rng: variational.nes(BOWL, x0, steps=150, n=10, rng=rng, sigma0=1.0,  # noqa: E731
                                          covariance=covariance)
    else:
        run = lambda rng: variational.variational(BOWL, x0, optimizers.adam(0.1), steps=300,  # noqa: E731
                                                  n=20, rng=rng, sigma0=1.0, covariance=covariance)
    res = run(0)
    steps = res.nit
    assert res.x.shape == (50, 2) and res.path.shape == (steps + 1, 50, 2)
    assert res.sigma.shape == (50,) + sshape and res.sigma_path.shape == (steps + 1, 50) + sshape
    assert res.cov_path.shape == (steps + 1, 50, 2, 2)
    assert np.all(res.nfev == res.nit * (10 if method == "nes" else 20))
    assert np.all(res.status == "completed")
    assert np.all(res.fun < 0.01)
    # covariance positive definite all the way
    assert np.all(np.linalg.eigvalsh(res.cov_path) > 0)
    np.testing.assert_array_equal(run(np.random.default_rng(0)).path, res.path)
    assert not np.array_equal(run(1).path, res.path)


@pytest.mark.parametrize("covariance", ["isotropic", "diagonal", "full"])
def test_sigma_floor(covariance):
    res = variational.nes(BOWL, np.full((10, 2), 1.0), steps=200, n=10, rng=0, sigma_floor=0.2,
                          covariance=covariance)
    ev = np.linalg.eigvalsh(res.cov_path)
    assert ev.min() >= 0.2**2 * (1 - 1e-9)
    res = variational.variational(BOWL, np.full((10, 2), 1.0), optimizers.sgd(0.05), steps=200, n=10,
                                  rng=0, sigma_floor=0.2, covariance=covariance)
    assert np.linalg.eigvalsh(res.cov_path).min() >= 0.2**2 * (1 - 1e-9)


def test_floored_objective_with_ties():
    f = objectives.get("floored_sinc")
    res = variational.nes(f, np.full((200, 1), 3.0), steps=100, n=20, rng=0, sigma0=2.0)
    assert np.all(np.isfinite(res.x)) and np.mean(f(res.x) == -10) > 0.5


def test_divergence_is_reported_without_warnings():
    f = lambda x: -np.exp(np.sum(x, axis=-1) ** 2)  # noqa: E731  unbounded below, overflows
    with np.errstate(all="raise"):
        res = variational.variational(f, np.zeros((5, 1)), optimizers.sgd(10.0), steps=50, n=10, rng=0)
    assert np.all(res.status == "diverged")
    assert np.all(np.isnan(res.path[-1]))


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: variational.score_gradients(SQ, [1.0], -1.0, n=10, rng=0), ValueError, "sigma"),
        (lambda: variational.score_gradients(SQ, [1.0], 1.0, n=1, rng=0), ValueError, "n"),
        (lambda: variational.score_gradients(SQ, [1.0, 2.0], 1.0, n=10, rng=0, covariance="spherical"),
         ValueError, "covariance"),
        (lambda: variational.score_gradients(SQ, [1.0, 2.0], [[1.0, 1.0], [0.0, 1.0]], n=10, rng=0,
                                             covariance="full"), ValueError, "sigma"),
        (lambda: variational.score_gradients(SQ, [1.0, 2.0], [1.0, 1.0, 1.0], n=10, rng=0,
                                             covariance="diagonal"), ValueError, "sigma"),
        (lambda: variational.nes(BOWL, [1.0, 2.0], steps=5, n=10, rng=None), TypeError, "rng"),
        (lambda: variational.nes(BOWL, [1.0, 2.0, 3.0], steps=5, n=10, rng=0), ValueError, "mu0"),
        (lambda: variational.nes(BOWL, [1.0, 2.0], steps=5, n=10, rng=0, lr_sigma=0), ValueError, "lr_sigma"),
        (lambda: variational.nes(BOWL, [1.0, 2.0], steps=5, n=10, rng=0, sigma_floor=-1), ValueError,
         "sigma_floor"),
        (lambda: variational.variational(BOWL, [1.0, 2.0], "adam", steps=5, n=10, rng=0), TypeError,
         "optimizer"),
        (lambda: variational.utilities(1), ValueError, "n"),
    ],
)
def test_bad_input_names_the_argument(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
