"""Tests for smoothopt.mlp: the backward pass against finite differences, shapes, input errors."""

import numpy as np
import pytest

import smoothopt as so
from smoothopt.mlp import MLP

EPS = np.finfo(float).eps


def make(power_layer=-1, hidden=(5, 4, 3), alpha=0.05, seed=0, n_classes=None, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, classes, 30)
    net = MLP(X, y, hidden=hidden, power_layer=power_layer, alpha=alpha, n_classes=n_classes)
    return net, net.init(rng)


def central_difference(f, theta, h):
    g = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


@pytest.mark.parametrize("power_layer", [0, 1, -1, None])
@pytest.mark.parametrize("classes", [2, 3])
def test_every_gradient_entry_matches_finite_differences(power_layer, classes):
    net, theta = make(power_layer=power_layer, classes=classes)
    g = net.grad(theta)
    # Central differences err by at most h^2 |L'''| / 6 (truncation) + eps |L| / h (rounding).
    # With h = eps^(1/3) both terms are ~ eps^(2/3) (|L'''| + |L|) ~ 4e-11 * 20 < 1e-9 here, so an
    # entry of size >= 1e-4 is reproduced to a relative error < 1e-5; smaller entries are held to
    # the absolute bound through the floor in the denominator.
    h = EPS ** (1 / 3)
    g_fd = central_difference(net, theta, h)
    rel = np.abs(g - g_fd) / np.maximum(np.maximum(np.abs(g), np.abs(g_fd)), 1e-4)
    assert rel.max() < 1e-5, f"max relative error {rel.max():.2e} at entry {rel.argmax()}"


def test_exponent_gradient_is_checked():
    net, theta = make()
    n_index = net.layers[-2].n
    assert net.layers[-2].power and n_index is not None
    h = EPS ** (1 / 3)
    e = np.zeros(net.dim)
    e[n_index] = h
    fd = (net(theta + e) - net(theta - e)) / (2 * h)
    assert abs(net.grad(theta)[n_index]) > 1e-4  # the check below is not vacuous
    assert abs(net.grad(theta)[n_index] - fd) / abs(fd) < 1e-5


def test_shapes_and_batching():
    net, theta = make()
    widths = [4, 5, 4, 3, 2]
    expected = sum(a * b + b for a, b in zip(widths[:-1], widths[1:])) + 1  # + the exponent
    assert net.dim == expected == theta.shape[0]
    thetas = np.stack([theta, theta * 0.5, theta * 1.1])
    assert net(thetas).shape == (3,)
    assert net.grad(thetas).shape == (3, net.dim)
    np.testing.assert_allclose(net.grad(thetas)[0], net.grad(theta))
    z, cache = net.forward(theta)
    assert z.shape == (30, 2) and len(cache) == 4 and cache[0][1].shape == (30, 5)
    assert net.predict(theta, net.X).shape == (30,)
    assert [W.shape for W, _, _ in net.unpack(theta)] == [(4, 5), (5, 4), (4, 3), (3, 2)]


def test_minibatch_oracle_is_unbiased_and_seeded():
    net, theta = make(alpha=0.0)
    oracle = net.minibatch_grad(8)
    draws = oracle(np.tile(theta, (4000, 1)), np.random.default_rng(1))
    se = draws.std(axis=0) / np.sqrt(len(draws))
    z = np.abs(draws.mean(axis=0) - net.grad(theta)) / np.maximum(se, 1e-12)
    assert z.max() < 5
    np.testing.assert_array_equal(oracle(theta, 3), oracle(theta, 3))


def test_trains_with_minimize():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = MLP(X, y, hidden=(8, 8), alpha=1e-4)
    res = so.minimize(net, net.init(1), so.optimizers.adam(0.02), steps=300,
                      grad=net.minibatch_grad(32), rng=2)
    assert res.success and res.fun < 0.5 * net(res.path[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.zeros(5), y=np.zeros(5, int)), "'X' must have shape"),
        (dict(X=np.zeros((5, 2)), y=np.zeros(4, int)), "'y' must have shape"),
        (dict(X=np.full((5, 2), np.nan), y=np.zeros(5, int)), "'X' must be finite"),
        (dict(X=np.zeros((5, 2)), y=np.array([0, 1, 0.5, 1, 0])), "integer class labels"),
        (dict(X=np.zeros((5, 2)), y=np.array([0, 1, -1, 1, 0])), "labels >= 0"),
        (dict(X=np.zeros((5, 2)), y=np.zeros(5, int), hidden=()), "at least one layer"),
        (dict(X=np.zeros((5, 2)), y=np.zeros(5, int), power_layer=3), "'power_layer'"),
        (dict(X=np.zeros((5, 2)), y=np.array([0, 1, 2, 0, 1]), n_classes=2), "n_classes = 2"),
    ],
)
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


def test_bad_theta_raises():
    net, theta = make()
    with pytest.raises(ValueError, match="'theta' must have shape"):
        net(theta[:-1])
    with pytest.raises(ValueError, match="'X' must have shape"):
        net.predict(theta, np.zeros((3, 7)))
    with pytest.raises(TypeError, match="'rng'"):
        net.minibatch_grad(4)(theta, None)
