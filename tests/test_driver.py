"""minimize(): shapes, evaluation counts, batching, divergence, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import Result, estimators, minimize, objectives, optimizers

WAVY = objectives.get("wavy_bowl")


@pytest.mark.parametrize("batch", [(), (5,), (3, 4)])
@pytest.mark.parametrize("steps", [0, 1, 7])
def test_shapes(batch, steps, rng):
    x0 = rng.uniform(-1, 3, batch + (2,))
    res = minimize(WAVY, x0, optimizers.adam(0.05), steps=steps)
    assert isinstance(res, Result)
    assert res.path.shape == (steps + 1,) + batch + (2,)
    assert res.x.shape == batch + (2,) and res.fun.shape == batch
    assert res.values.shape == (steps + 1,) + batch
    assert res.status.shape == batch and res.success.shape == batch
    assert res.nfev.shape == batch and res.njev.shape == batch
    assert res.nit == steps
    np.testing.assert_array_equal(res.path[0], x0)
    np.testing.assert_array_equal(res.path[-1], res.x)
    if steps == 0:
        np.testing.assert_array_equal(res.x, x0)


def test_x0_is_not_modified_and_path_is_a_copy():
    x0 = np.array([[1.0, 1.5], [0.0, 0.0]])
    keep = x0.copy()
    res = minimize(WAVY, x0, optimizers.sgd(0.01), steps=5)
    np.testing.assert_array_equal(x0, keep)
    res.path[0, 0, 0] = 99.0
    assert x0[0, 0] == 1.0


def test_values_equal_f_along_the_path(rng):
    x0 = rng.uniform(-1, 3, (6, 2))
    res = minimize(WAVY, x0, optimizers.momentum(0.01, 0.9), steps=30)
    np.testing.assert_array_equal(res.values, WAVY(res.path))
    np.testing.assert_array_equal(res.fun, WAVY(res.x))
    # and momentum with a small step goes downhill overall from every start
    assert np.all(res.values[-1] < res.values[0])


# ---------------------------------------------------------------------------
# Evaluation counts
# ---------------------------------------------------------------------------


def test_counts_for_the_analytic_gradient():
    res = minimize(WAVY, np.zeros((3, 2)), optimizers.sgd(0.01), steps=12)
    np.testing.assert_array_equal(res.nfev, 0)
    np.testing.assert_array_equal(res.njev, 12)


@pytest.mark.parametrize(
    "method, options, nfev_per_step, njev_per_step",
    [
        ("score_function", {"sigma": 0.3, "n": 50}, 50, 0),
        ("score_function", {"sigma": 0.3, "n": 50, "antithetic": True}, 50, 0),
        ("smoothed_finite_difference", {"sigma": 0.3, "n": 10, "delta": 0.01}, 2 * 2 * 10, 0),
        ("reparameterization", {"sigma": 0.3, "n": 8}, 0, 8),
        ("finite_difference", {}, 2 * 2, 0),
        ("finite_difference", {"scheme": "forward"}, 2 + 1, 0),
        ("grad", {}, 0, 1),
    ],
)
def test_counts_from_oracles(method, options, nfev_per_step, njev_per_step):
    g = estimators.oracle(WAVY, method, **options)
    res = minimize(WAVY, np.zeros((4, 2)) + [1.0, 1.5], optimizers.sgd(0.01), steps=9, grad=g, rng=0)
    np.testing.assert_array_equal(res.nfev, 9 * nfev_per_step)
    np.testing.assert_array_equal(res.njev, 9 * njev_per_step)


def test_a_plain_callable_grad_counts_one_gradient_per_step():
    calls = []

    def grad(x, rng):
        calls.append(x.shape)
        return WAVY.grad(x)

    res = minimize(WAVY, np.zeros((4, 2)), optimizers.sgd(0.01), steps=6, grad=grad)
    assert calls == [(4, 2)] * 6  # one batched call per step, not one per run
    np.testing.assert_array_equal(res.njev, 6)
    np.testing.assert_array_equal(res.nfev, 0)


def test_counting_a_quantized_objective_with_score_function():
    f = objectives.get("quantized_wavy_bowl")
    g = estimators.oracle(f, "score_function", sigma=0.3, n=20)
    res = minimize(f, np.zeros((100, 2)) + [0.5, 0.5], optimizers.sgd(0.01), steps=30, grad=g, rng=1)
    np.testing.assert_array_equal(res.nfev, 600)
    np.testing.assert_array_equal(res.njev, 0)


# ---------------------------------------------------------------------------
# Batching is exact
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("opt", [optimizers.sgd(0.01), optimizers.nesterov(0.01, 0.9),
                                 optimizers.adam(0.05), optimizers.rmsprop(0.01),
                                 optimizers.adagrad(0.1)], ids=lambda o: o.name)
def test_batched_runs_equal_single_runs(opt):
    xs = np.stack(np.meshgrid(np.linspace(-1, 3, 3), np.linspace(-1, 3, 4)), axis=-1)  # (4, 3, 2)
    res = minimize(WAVY, xs, opt, steps=40)
    for i in range(xs.shape[0]):
        for j in range(xs.shape[1]):
            alone = minimize(WAVY, xs[i, j], opt, steps=40)
            np.testing.assert_array_equal(res.path[:, i, j], alone.path)


# ---------------------------------------------------------------------------
# Divergence
# ---------------------------------------------------------------------------


def test_a_run_that_produces_nan_is_frozen_and_others_are_unaffected():
    bad_run, bad_call = 2, 3  # run 2 gets a NaN gradient on the 4th step
    calls = [0]

    def grad(x, rng):
        g = WAVY.grad(x)
        if calls[0] == bad_call:
            g[bad_run] = np.nan
        calls[0] += 1
        return g

    x0 = np.array([[0.0, 0.0], [1.0, 1.5], [2.5, 2.0], [-0.5, 2.0]])
    res = minimize(WAVY, x0, optimizers.adam(0.05), steps=20, grad=grad)
    assert res.status.tolist() == ["completed", "completed", "diverged", "completed"]
    assert res.success.tolist() == [True, True, False, True]
    assert res.diverged_at.tolist() == [-1, -1, bad_call + 1, -1]
    # Frozen at its last finite iterate; path NaN from the step that failed.
    np.testing.assert_array_equal(res.x[bad_run], res.path[bad_call, bad_run])
    assert np.all(np.isfinite(res.path[: bad_call + 1, bad_run]))
    assert np.all(np.isnan(res.path[bad_call + 1 :, bad_run]))
    assert np.all(np.isnan(res.values[bad_call + 1 :, bad_run]))
    # The other runs are exactly what they would have been alone.
    for i in (0, 1, 3):
        alone = minimize(WAVY, x0[i], optimizers.adam(0.05), steps=20)
        np.testing.assert_array_equal(res.path[:, i], alone.path)
    assert "3 completed, 1 diverged" in res.message


def test_inf_and_explosion_are_divergence():
    # grad = -x on f = -|x|^2 / 2 pushes every run outwards geometrically.
    f = objectives.Objective("hill", 1, lambda p: -0.5 * p[..., 0] ** 2, grad=lambda p: -p,
                             bounds=[[-1, 1]], formula="")
    res = minimize(f, [[1.0], [0.0]], optimizers.sgd(1.0), steps=40, max_norm=1e3)
    # Run 0 doubles each step: |x| = 2^t > 1e3 first at t = 10. Run 1 sits at 0 forever.
    assert res.status.tolist() == ["diverged", "completed"]
    assert res.diverged_at.tolist() == [10, -1]
    np.testing.assert_array_equal(res.path[:, 1, 0], 0.0)


def test_no_runtime_warning_escapes_when_values_overflow():
    # sgd with lr = 1.1 * 2 / k on 0.5 k x^2 with the largest max_norm: the iterate overflows
    # to inf (1.2^3900 > 1e308) and then inf - inf = NaN; pytest -W error would fail on
    # any RuntimeWarning from the loop or from Result.values.
    k = 4.0
    f = objectives.Objective("q", 1, lambda p: 0.5 * k * p[..., 0] ** 2, grad=lambda p: k * p,
                             bounds=[[-1, 1]], formula="")
    res = minimize(f, [1.0], optimizers.sgd(1.1 * 2 / k), steps=4000, max_norm=np.finfo(float).max)
    assert res.status == "diverged"
    assert np.isnan(res.values[-1])


# ---------------------------------------------------------------------------
# Randomness
# ---------------------------------------------------------------------------


def test_stochastic_oracle_is_reproducible_with_a_seed():
    g = estimators.oracle(WAVY, "score_function", sigma=0.3, n=10)
    x0 = np.zeros((5, 2)) + [1.0, 1.5]
    a = minimize(WAVY, x0, optimizers.sgd(0.01), steps=25, grad=g, rng=123)
    b = minimize(WAVY, x0, optimizers.sgd(0.01), steps=25, grad=g, rng=np.random.default_rng(123))
    c = minimize(WAVY, x0, optimizers.sgd(0.01), steps=25, grad=g, rng=124)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)
    # every run gets its own noise
    assert len(np.unique(a.path[-1, :, 0])) == 5


def test_sigma_schedule_sees_the_step_index():
    seen = []

    def sigma(t):
        seen.append(t)
        return 0.5 / (1 + t)

    g = estimators.oracle(WAVY, "score_function", sigma=sigma, n=4)
    minimize(WAVY, np.zeros(2), optimizers.sgd(0.01), steps=5, grad=g, rng=0)
    assert seen == [0, 1, 2, 3, 4]


def test_the_oracle_estimate_is_the_estimator_with_the_same_generator():
    # minimize passes its generator straight to the estimator: one step by hand.
    g = estimators.oracle(WAVY, "reparameterization", sigma=0.2, n=6)
    x0 = np.array([[1.0, 1.5], [0.2, 0.1]])
    res = minimize(WAVY, x0, optimizers.sgd(0.1), steps=1, grad=g, rng=7)
    by_hand = estimators.reparameterization(WAVY.grad, x0, sigma=0.2, n=6, rng=np.random.default_rng(7))
    np.testing.assert_allclose(res.x, x0 - 0.1 * by_hand, rtol=1e-15)
