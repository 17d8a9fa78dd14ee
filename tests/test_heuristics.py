"""Tests of smoothopt.heuristics: shapes, seeds, budgets, errors, behaviour on known landscapes."""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import heuristics, objectives, optimizers

BOWL = objectives.get("bowl")
METHODS = {
    "random_search": lambda f, x0, rng, steps=50: heuristics.random_search(f, x0, steps=steps, rng=rng),
    "hill_climbing": lambda f, x0, rng, steps=50: heuristics.hill_climbing(
        f, x0, steps=steps, step_size=0.3, rng=rng),
    "simulated_annealing": lambda f, x0, rng, steps=50: heuristics.simulated_annealing(
        f, x0, steps=steps, step_size=0.3, temperature=heuristics.geometric_cooling(1.0, 0.95),
        rng=rng),
}


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("shape", [(2,), (7, 2), (3, 4, 2)])
def test_shapes_and_budget(name, shape):
    res = METHODS[name](BOWL, np.full(shape, 2.0), 0)
    batch = shape[:-1]
    assert res.x.shape == shape and res.fun.shape == batch
    assert res.path.shape == (51,) + shape and res.values.shape == (51,) + batch
    assert np.all(res.nfev == 51) and np.all(res.njev == 0)
    assert np.all(res.status == "completed")
    np.testing.assert_allclose(res.fun, BOWL(res.x))


@pytest.mark.parametrize("name", METHODS)
def test_seed_reproducible_and_runs_independent(name):
    x0 = np.full((20, 2), 2.0)
    a, b = METHODS[name](BOWL, x0, 5), METHODS[name](BOWL, x0, np.random.default_rng(5))
    np.testing.assert_array_equal(a.path, b.path)
    c = METHODS[name](BOWL, x0, 6)
    assert not np.array_equal(a.path, c.path)
    # identical starts, different random numbers: the runs differ
    assert len(np.unique(a.x[:, 0])) > 10


@pytest.mark.parametrize("name", METHODS)
def test_converges_on_bowl(name):
    res = METHODS[name](BOWL, np.full((200, 2), 3.0), 0, steps=2000)
    # random search only samples: P(f < 0.2 in one draw) = 0.2 pi / 81, so 2000 draws miss it
    # with probability (1 - 0.0078)^2000 < 1e-6
    assert np.all(res.fun < (0.2 if name == "random_search" else 0.05))


def test_best_so_far_is_monotone_and_bounded():
    res = heuristics.random_search(BOWL, np.full((50, 2), 4.0), steps=300, rng=1, bounds=[[-1, 1], [-1, 1]])
    assert np.all(np.diff(res.values, axis=0) <= 0)
    assert np.all(np.abs(res.path[1:]) <= 4.0)
    assert np.all(np.abs(res.x) <= 1.0)


def test_hill_climbing_never_goes_up():
    f = objectives.get("wavy_bowl")
    res = heuristics.hill_climbing(f, np.zeros((100, 2)), steps=200, step_size=0.5, rng=2)
    assert np.all(np.diff(res.values, axis=0) <= 0)


def test_annealing_goes_uphill_when_hot_and_returns_best():
    f = objectives.get("wavy_bowl")
    res = heuristics.simulated_annealing(f, np.zeros((100, 2)), steps=200, step_size=0.5,
                                         temperature=5.0, rng=3)
    assert np.any(np.diff(res.values, axis=0) > 0)
    np.testing.assert_allclose(res.fun_best, np.nanmin(res.values, axis=0))
    # x / fun are the final iterate, x_best / fun_best the best point visited
    np.testing.assert_array_equal(res.x, res.path[-1])
    np.testing.assert_array_equal(res.fun, res.values[-1])
    np.testing.assert_allclose(res.fun_best, f(res.x_best))


def test_uniform_and_callable_neighbourhoods():
    res = heuristics.hill_climbing(BOWL, np.full((10, 2), 1.0), steps=30, step_size=[0.1, 0.0001],
                                   neighbourhood="uniform", rng=0)
    assert np.all(np.abs(np.diff(res.path[..., 0], axis=0)) <= 0.1 + 1e-12)
    assert np.all(np.abs(np.diff(res.path[..., 1], axis=0)) <= 1e-4 + 1e-12)
    moves = lambda x, rng: x - 0.1 * np.sign(x)  # noqa: E731
    res = heuristics.hill_climbing(BOWL, np.full((3, 2), 1.0), steps=10, step_size=1.0,
                                   neighbourhood=moves, rng=0)
    np.testing.assert_allclose(res.x, 0.0, atol=1e-12)


def test_cooling_schedules():
    assert heuristics.geometric_cooling(2.0, 0.5)(3) == 0.25
    assert heuristics.linear_cooling(1.0, 10)(20) == 1e-3
    T = heuristics.logarithmic_cooling(1.0)
    assert T(0) > T(10) > T(1000) > 0


def test_nan_proposals_rejected_and_nan_start_diverged():
    def f(x):
        return np.where(x[..., 0] > 1.5, np.nan, np.sum(x**2, axis=-1))

    with np.errstate(all="raise"):
        res = heuristics.hill_climbing(f, np.array([[1.4, 0.0], [np.inf, 0.0]][:1]), steps=100,
                                       step_size=0.5, rng=0)
    assert np.all(np.isfinite(res.values)) and res.status[0] == "completed"
    g = lambda x: np.where(x[..., 0] > 0, np.nan, 1.0)  # noqa: E731
    res = heuristics.simulated_annealing(g, [[1.0], [-1.0]], steps=5, step_size=0.1,
                                         temperature=1.0, rng=0)
    assert res.status.tolist() == ["diverged", "completed"]


def test_restarts_keep_the_best_and_count_every_descent():
    f = objectives.get("quartic")
    starts = np.random.default_rng(0).normal(0, 3, (100, 8, 1))
    res = heuristics.restarts(f, starts, optimizers.sgd(0.005), steps=300)
    assert res.x.shape == (100, 1) and res.path.shape == (301, 100, 1)
    assert np.all(res.njev == 8 * 300)
    single = heuristics.restarts(f, starts[:, :1], optimizers.sgd(0.005), steps=300)
    assert np.all(res.fun <= single.fun + 1e-12)
    np.testing.assert_allclose(res.path[-1], res.x)


def test_best_of_heuristic_results():
    res = heuristics.hill_climbing(BOWL, np.full((4, 5, 2), 2.0), steps=20, step_size=0.3, rng=0)
    best = heuristics.best_of(res)
    assert best.x.shape == (4, 2) and np.all(best.nfev == 5 * 21)
    np.testing.assert_allclose(best.fun, res.fun.min(axis=-1))


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: heuristics.hill_climbing(BOWL, [1.0, 1.0], steps=5, step_size=-1, rng=0), ValueError, "step_size"),
        (lambda: heuristics.hill_climbing(BOWL, [1.0, 1.0], steps=5, step_size=0.1, rng=None), TypeError, "rng"),
        (lambda: heuristics.hill_climbing(BOWL, [1.0, 1.0], steps=5, step_size=0.1, rng=0,
                                          neighbourhood="cauchy"), ValueError, "neighbourhood"),
        (lambda: heuristics.hill_climbing(BOWL, [1.0, 1.0, 1.0], steps=5, step_size=0.1, rng=0), ValueError, "x0"),
        (lambda: heuristics.simulated_annealing(BOWL, [1.0, 1.0], steps=5, step_size=0.1,
                                                temperature=0.0, rng=0), ValueError, "temperature"),
        (lambda: heuristics.simulated_annealing(BOWL, [1.0, 1.0], steps=5, step_size=0.1,
                                                temperature=lambda t: -1.0, rng=0), ValueError, "temperature"),
        (lambda: heuristics.random_search(BOWL, [1.0, 1.0], steps=5, rng=0, bounds=[[1, 0], [0, 1]]), ValueError, "bounds"),
        (lambda: heuristics.random_search(BOWL, [1.0, 1.0], steps=-1, rng=0), ValueError, "steps"),
        (lambda: heuristics.geometric_cooling(1.0, 1.5), ValueError, "rate"),
        (lambda: heuristics.restarts(BOWL, [1.0, 1.0], optimizers.sgd(0.1), steps=5), ValueError, "x0"),
        (lambda: heuristics.best_of("result"), TypeError, "result"),
    ],
)
def test_bad_input_names_the_argument(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_no_runtime_warnings_on_overflowing_objective():
    f = lambda x: np.exp(np.exp(x[..., 0] * 50))  # noqa: E731  overflows to inf
    with np.errstate(all="raise"):
        res = heuristics.simulated_annealing(f, np.zeros((20, 1)), steps=100, step_size=1.0,
                                             temperature=1.0, rng=0)
        heuristics.random_search(f, np.zeros((20, 1)), steps=100, rng=0, bounds=[[-5, 5]])
    assert np.all(np.isfinite(res.fun))
