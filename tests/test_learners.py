"""The library used the way a learner who outgrows the examples uses it (issue 14).

Their own callables (checked where the library calls them), one gradient convention, long runs
(record / state / callback), ask/tell, results that print, pickle and compare, and the numerical
faults found against outside implementations.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import smoothopt as so
from smoothopt import estimators, heuristics, objectives, optimizers, smoothing, variational
from smoothopt.objectives import pointwise

BOWL = objectives.get("bowl")
WAVY = objectives.get("wavy_bowl")


def one_point(x):  # scipy style: one point of shape (3,), a float back
    return x[0] * x[1] + x[2] ** 2


def python_float(x):  # a float from a whole batch: the learner's other common mistake
    return float(np.sum(x**2))


POINTWISE = "pointwise"


# ---------------------------------------------------------------------------
# 1. What user callables return is checked, naming the callable and the shapes
# ---------------------------------------------------------------------------


def test_pointwise_makes_a_one_point_function_batched():
    f = pointwise(one_point)
    np.testing.assert_allclose(estimators.finite_difference(f, [1.0, 2.0, 3.0]), [2, 1, 6], atol=1e-8)
    assert f(np.ones((4, 5, 3))).shape == (4, 5)
    with pytest.raises(ValueError, match="one_point.*one number"):
        pointwise(lambda x: x)(np.ones((2, 3)))


@pytest.mark.parametrize("call", [
    lambda f: estimators.finite_difference(f, [1.0, 2.0, 3.0]),
    lambda f: estimators.finite_difference(f, [1.0, 2.0, 3.0], scheme="forward"),
    lambda f: estimators.hessian(f, [1.0, 2.0, 3.0]),
    lambda f: estimators.score_function(f, [1.0, 2.0, 3.0], sigma=0.1, n=10, rng=0),
    lambda f: estimators.smoothed_finite_difference(f, [1.0, 2.0, 3.0], sigma=0.1, n=3,
                                                    delta=0.01, rng=0),
    lambda f: smoothing.monte_carlo(f, [1.0, 2.0, 3.0], sigma=0.1, n=10, rng=0),
    lambda f: smoothing.quadrature(f, [1.0, 2.0, 3.0], sigma=0.1, order=3),
    lambda f: heuristics.random_search(f, np.zeros((4, 3)), steps=3, rng=0, bounds=[[0, 1]] * 3),
    lambda f: heuristics.hill_climbing(f, np.zeros((4, 3)), steps=3, step_size=0.1, rng=0),
    lambda f: variational.nes(f, np.zeros((4, 3)), steps=3, n=4, rng=0),
    lambda f: so.minimize(f, np.zeros((3, 3)), optimizers.sgd(0.1), steps=3,
                          grad=estimators.oracle(f, "score_function", sigma=0.1, n=4), rng=0),
], ids=["fd", "fd-forward", "hessian", "score", "sfd", "mc", "quadrature", "random", "hill",
        "nes", "minimize"])
@pytest.mark.parametrize("f", [one_point, python_float], ids=["one-point", "python-float"])
def test_a_function_of_one_point_is_named_never_a_wrong_answer(call, f):
    with pytest.raises(ValueError, match=rf"'f' \({f.__name__}\).*{POINTWISE}"):
        call(f)


def test_a_batch_only_function_is_caught_when_values_are_computed():
    f = lambda x: (x[:, 0] - 1) ** 2 + x[:, 1] ** 2  # noqa: E731 - works on (runs, d) only
    res = so.minimize(f, np.zeros((4, 2)), optimizers.sgd(0.1), steps=5,
                      grad=lambda x: np.stack([2 * (x[..., 0] - 1), 2 * x[..., 1]], axis=-1))
    assert res.fun.shape == (4,)
    with pytest.raises(ValueError, match=r"returned shape \(6, 2\) for points of shape \(6, 4, 2\)"):
        res.values


@pytest.mark.parametrize("bad, exc, match", [
    (lambda x: 2 * x[0], ValueError, r"'grad' \(<lambda>\) returned shape \(2,\) for points of shape \(4, 2\)"),
    (lambda x: 2 * x[..., :1], ValueError, r"returned shape \(4, 1\)"),
    (lambda x: 1.0, ValueError, r"returned shape \(\)"),
    (lambda x: None, TypeError, "returned None"),
    (lambda x: "abc", TypeError, "not an array of numbers"),
    (lambda x: 1j * x, TypeError, "complex"),
])
def test_minimize_checks_the_gradient_it_is_given(bad, exc, match):
    with pytest.raises(exc, match=match):
        so.minimize(BOWL, np.ones((4, 2)), optimizers.sgd(0.1), steps=3, grad=bad)


def test_a_gradient_as_a_list_of_the_right_shape_is_fine():
    res = so.minimize(BOWL, [1.0, 2.0], optimizers.sgd(0.25), steps=30,
                      grad=lambda x: [2 * x[0], 2 * x[1]])
    assert res.success and np.abs(res.x).max() < 1e-6


def test_f_is_evaluated_before_the_first_step():
    calls = []

    def broken(x):
        return undefined_name * x  # noqa: F821 - the learner's bug

    def grad(x):
        calls.append(1)
        return 2 * x

    with pytest.raises(NameError):
        so.minimize(broken, np.ones((100, 2)), optimizers.sgd(0.1), steps=1000, grad=grad)
    assert calls == []


def test_no_runtime_warning_reaches_the_user():
    # pytest turns warnings into errors (pyproject.toml): these calls must not warn.
    g = estimators.finite_difference(lambda p: np.sum(p**2, axis=-1), [1e308, 0.0])
    assert not np.isfinite(g[0])
    v = estimators.score_function(lambda p: np.where(p[..., 0] > 0, np.inf, 0.0), [0.0],
                                  sigma=1.0, n=10, rng=0)
    assert v.shape == (1,)
    so.minimize(lambda p: np.log(p[..., 0]), [[-1.0]], optimizers.sgd(0.1), steps=3,
                grad=lambda p: 1 / p)


def test_a_neighbourhood_returning_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"'neighbourhood' \(<lambda>\) returned shape \(2,\)"):
        heuristics.hill_climbing(BOWL, np.zeros((3, 2)), steps=2, step_size=0.1, rng=0,
                                 neighbourhood=lambda x, rng: x[0])


@pytest.mark.parametrize("T, match", [(lambda t: -1.0, "non-negative"), (lambda t: "hot", "number"),
                                      (lambda t: np.ones(2), "single number")])
def test_a_bad_temperature_schedule_is_named_before_the_first_step(T, match):
    with pytest.raises((ValueError, TypeError), match=rf"'temperature'.*{match}"):
        heuristics.simulated_annealing(BOWL, np.zeros((3, 2)), steps=2, step_size=0.1,
                                       temperature=T, rng=0)


# ---------------------------------------------------------------------------
# 2. One gradient convention
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("grad", [
    None,
    BOWL.grad,
    lambda x: 2 * x,
    lambda x, rng: 2 * x,
    lambda x, rng=None: 2 * x,
    estimators.oracle(BOWL, "grad"),
    np.vectorize(lambda x: 2 * x, signature="(d)->(d)"),
], ids=["default", "f.grad", "grad(x)", "grad(x, rng)", "grad(x, rng=None)", "Oracle", "vectorize"])
def test_every_gradient_form_works_in_minimize(grad):
    res = so.minimize(BOWL, [[1.0, 2.0], [3.0, -1.0]], optimizers.sgd(0.25), steps=30, grad=grad)
    assert res.success.all() and np.abs(res.x).max() < 1e-6


def test_a_gradient_of_another_arity_gets_the_accepted_forms():
    with pytest.raises(TypeError, match=r"grad\(x\).*grad\(x, rng\).*Oracle"):
        so.minimize(BOWL, [1.0, 2.0], optimizers.sgd(0.1), steps=3, grad=lambda x, rng, t: 2 * x)
    with pytest.raises(ValueError, match="finite_difference"):
        so.minimize(lambda x: np.sum(x**2, -1), [1.0, 2.0], optimizers.sgd(0.1), steps=3)


# ---------------------------------------------------------------------------
# 3. Long runs: record, state, callback
# ---------------------------------------------------------------------------


def test_record_keeps_what_it_is_asked_to():
    x0 = np.zeros((5, 2))
    full = so.minimize(WAVY, x0, optimizers.adam(0.05), steps=10)
    last = so.minimize(WAVY, x0, optimizers.adam(0.05), steps=10, record="last")
    every = so.minimize(WAVY, x0, optimizers.adam(0.05), steps=10, record=4)
    assert full.path.shape == (11, 5, 2) and last.path.shape == (1, 5, 2)
    assert every.path_steps.tolist() == [0, 4, 8, 10]
    np.testing.assert_array_equal(every.path, full.path[[0, 4, 8, 10]])
    np.testing.assert_array_equal(last.x, full.x)
    np.testing.assert_array_equal(last.values, full.values[-1:])
    for bad in ("all", 0, True, 1.5):
        with pytest.raises(ValueError, match="'record'"):
            so.minimize(WAVY, x0, optimizers.sgd(0.1), steps=3, record=bad)


OPTIMIZERS = {
    "sgd": lambda: optimizers.sgd(estimators.geometric_schedule(0.05, 0.005, 30)),
    "momentum": lambda: optimizers.momentum(lambda t: 0.02 / (1 + t), 0.9),
    "nesterov": lambda: optimizers.nesterov(0.01, 0.9),
    "adagrad": lambda: optimizers.adagrad(0.3),
    "rmsprop": lambda: optimizers.rmsprop(0.02),
    "adam": lambda: optimizers.adam(lambda t: 0.1 * 0.95**t),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("stochastic", [False, True], ids=["grad", "score-schedule"])
def test_two_calls_equal_one_exactly(name, stochastic):
    x0 = np.random.default_rng(1).uniform(-1, 3, (20, 2))
    kw = {}
    if stochastic:
        f = objectives.get("quantized_wavy_bowl")
        kw = dict(grad=estimators.oracle(f, "score_function",
                                         sigma=estimators.geometric_schedule(0.5, 0.1, 30), n=8))
    else:
        f = WAVY
    one = so.minimize(f, x0, OPTIMIZERS[name](), steps=30, rng=7, **kw)
    opt = OPTIMIZERS[name]()
    a = so.minimize(f, x0, opt, steps=17, rng=7, **kw)
    b = so.minimize(f, a.x, opt, steps=13, state=a.state, **kw)
    np.testing.assert_array_equal(b.x, one.x)
    np.testing.assert_array_equal(np.concatenate([a.path, b.path[1:]]), one.path)
    assert b.state.t == 30 and b.path_steps[0] == 17


def test_resuming_keeps_diverged_runs_frozen():
    x0 = np.array([[1.0], [200.0]])
    a = so.minimize(objectives.get("quartic"), x0, optimizers.sgd(0.01), steps=5)
    assert a.status.tolist() == ["completed", "diverged"]
    b = so.minimize(objectives.get("quartic"), None, optimizers.sgd(0.01), steps=5, state=a.state)
    assert b.status.tolist() == ["completed", "diverged"] and b.x[1, 0] == a.x[1, 0]


def test_the_callback_sees_every_step_and_can_stop_all_runs():
    seen = []

    def cb(p):
        seen.append((p.t, p.steps, p.x.shape))
        return p.t == 7

    res = so.minimize(WAVY, np.zeros((3, 2)), optimizers.sgd(0.01), steps=50, callback=cb)
    assert seen == [(t, 50, (3, 2)) for t in range(1, 8)]
    assert res.nit == 7 and res.path.shape == (8, 3, 2) and "stopped by the callback" in res.message
    rest = so.minimize(WAVY, res.x, optimizers.sgd(0.01), steps=43, state=res.state)
    whole = so.minimize(WAVY, np.zeros((3, 2)), optimizers.sgd(0.01), steps=50)
    np.testing.assert_array_equal(rest.x, whole.x)
    with pytest.raises(TypeError, match="'callback'"):
        so.minimize(WAVY, np.zeros((3, 2)), optimizers.sgd(0.01), steps=2, callback=lambda p: "yes")


def _sa(**kw):
    return heuristics.simulated_annealing(WAVY, **kw, step_size=0.5,
                                          temperature=heuristics.geometric_cooling(2.0, 0.97))


HEURISTIC_RUNS = {
    "hill": lambda **kw: heuristics.hill_climbing(WAVY, **kw, step_size=0.3),
    "annealing": _sa,
    "random": lambda **kw: heuristics.random_search(WAVY, **kw),
    "nes-isotropic": lambda x0, **kw: variational.nes(WAVY, x0, **kw, n=8),
    "nes-diagonal": lambda x0, **kw: variational.nes(WAVY, x0, **kw, n=8, covariance="diagonal"),
    "nes-full": lambda x0, **kw: variational.nes(WAVY, x0, **kw, n=8, covariance="full"),
    "variational": lambda x0, **kw: variational.variational(WAVY, x0, optimizers.adam(0.1), **kw,
                                                           n=8, covariance="full"),
}


@pytest.mark.parametrize("name", HEURISTIC_RUNS)
def test_heuristics_and_variational_methods_resume_exactly(name):
    run = HEURISTIC_RUNS[name]
    x0 = np.random.default_rng(2).uniform(-1, 3, (6, 2))
    whole = run(x0=x0, steps=40, rng=3)
    a = run(x0=x0, steps=25, rng=3)
    b = run(x0=None, steps=15, state=a.state, rng=None)
    np.testing.assert_array_equal(b.x, whole.x)
    np.testing.assert_array_equal(np.concatenate([a.path, b.path[1:]]), whole.path)
    last = run(x0=x0, steps=40, rng=3, record="last")
    np.testing.assert_array_equal(last.path[0], whole.path[-1])
    stopped = run(x0=x0, steps=40, rng=3, callback=lambda p: p.t == 5)
    assert stopped.nit == 5


def test_annealing_with_the_usual_cooling_survives_a_long_run():
    T = heuristics.geometric_cooling(1.0, 0.5)
    assert T(1075) > 0 and T(10**6) > 0 and heuristics.geometric_cooling(1.0, 0.99)(74_141) > 0
    res = heuristics.simulated_annealing(BOWL, np.full((3, 2), 2.0), steps=3000, step_size=0.2,
                                         temperature=T, rng=0, record="last")
    assert res.success.all()
    with pytest.raises(ValueError, match="step index"):
        heuristics.logarithmic_cooling(1.0)(-1)


# ---------------------------------------------------------------------------
# 4. Ask/tell
# ---------------------------------------------------------------------------


def _drive(search, f, steps):
    for _ in range(steps):
        p = search.ask()
        search.tell(p.copy(), f(p))  # a copy: tell recomputes what it needs from the points
    return search


@pytest.mark.parametrize("covariance", ["isotropic", "diagonal", "full"])
def test_nes_ask_tell_is_the_batched_function(covariance):
    x0 = np.random.default_rng(0).uniform(-1, 3, (5, 2))
    res = variational.nes(WAVY, x0, steps=30, n=8, rng=4, covariance=covariance)
    es = _drive(variational.NES(x0, n=8, rng=4, covariance=covariance), WAVY, 30)
    np.testing.assert_allclose(es.mean, res.x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(es.sigma, res.sigma, rtol=1e-12, atol=1e-12)


def test_local_search_ask_tell_is_the_batched_function():
    x0 = np.zeros((5, 2))
    T = heuristics.geometric_cooling(1.0, 0.98)
    res = heuristics.simulated_annealing(WAVY, x0, steps=50, step_size=0.4, temperature=T, rng=1)
    sa = _drive(heuristics.SimulatedAnnealing(x0, step_size=0.4, temperature=T, rng=1), WAVY, 51)
    np.testing.assert_array_equal(sa.x, res.x)
    np.testing.assert_array_equal(sa.fun_best, res.fun_best)
    hc = _drive(heuristics.HillClimbing(x0, step_size=0.4, rng=1), WAVY, 51)
    np.testing.assert_array_equal(
        hc.x, heuristics.hill_climbing(WAVY, x0, steps=50, step_size=0.4, rng=1).x)


def test_ask_tell_drives_an_objective_that_is_not_vectorized():
    def simulator(point):  # one point at a time, plain Python floats
        return (point[0] - 1.0) ** 2 + 3 * (point[1] + 0.5) ** 2

    es = variational.NES([3.0, 3.0], n=12, rng=0, sigma0=1.0, covariance="full")
    for _ in range(150):
        pts = es.ask()
        es.tell(pts, [simulator(p) for p in pts])
    np.testing.assert_allclose(es.mean, [1.0, -0.5], atol=1e-3)
    with pytest.raises(ValueError, match="one value per point"):
        es.ask()
        es.tell(es._asked, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="ask"):
        heuristics.HillClimbing([0.0], step_size=0.1, rng=0).tell([0.0], 1.0)


# ---------------------------------------------------------------------------
# 5. Results
# ---------------------------------------------------------------------------


def test_a_result_prints_a_summary_pickles_and_compares():
    grad = estimators.oracle(objectives.get("quantized_wavy_bowl"), "score_function", sigma=0.3, n=20)
    res = so.minimize(objectives.get("quantized_wavy_bowl"), np.zeros((1000, 2)), optimizers.sgd(0.5),
                      steps=30, grad=grad, rng=0)
    text = repr(res)
    assert len(text) < 1500 and "1000 completed" in text and "array of shape (1000, 2)" in text
    again = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(again.values, res.values)
    assert again == res and res == res and (res != so.minimize(
        objectives.get("quantized_wavy_bowl"), np.zeros((1000, 2)), optimizers.sgd(0.5),
        steps=30, grad=grad, rng=1))
    assert res["x"] is res.x and "state" in res.keys()
    small = so.minimize(BOWL, [1.0, 2.0], optimizers.sgd(0.1), steps=2)
    assert "x: [0.64, 1.28]" in repr(small)


def test_x_is_the_final_iterate_and_x_best_the_best_point():
    res = heuristics.simulated_annealing(WAVY, np.zeros((50, 2)), steps=200, step_size=0.5,
                                         temperature=5.0, rng=3)
    np.testing.assert_array_equal(res.x, res.path[-1])
    assert np.all(res.fun_best <= res.fun) and np.any(res.fun_best < res.fun)
    np.testing.assert_allclose(res.fun_best, WAVY(res.x_best))
    rs = heuristics.random_search(WAVY, np.zeros((5, 2)), steps=30, rng=0)
    np.testing.assert_array_equal(rs.x, rs.x_best)
    assert so.minimize(BOWL, [1.0, 2.0], optimizers.sgd(0.1), steps=2).x_best is None


def test_nfev_counts_the_same_thing_everywhere():
    # The evaluations the moves need: steps x the estimator's cost; n per step; every proposal.
    f = objectives.get("quantized_wavy_bowl")
    g = estimators.oracle(f, "score_function", sigma=0.3, n=20)
    assert so.minimize(f, np.zeros((2, 2)), optimizers.sgd(0.5), steps=7, grad=g, rng=0).nfev.tolist() == [140, 140]
    assert variational.nes(f, np.zeros((2, 2)), steps=7, n=6, rng=0).nfev.tolist() == [42, 42]
    assert heuristics.hill_climbing(f, np.zeros((2, 2)), steps=7, step_size=0.3, rng=0).nfev.tolist() == [8, 8]
    counted = []
    counting = lambda x: (counted.append(x.shape[:-1]), f(x))[1]  # noqa: E731
    res = heuristics.random_search(counting, np.zeros((1, 2)), steps=7, rng=0, bounds=f.bounds)
    assert res.nfev[0] == len(counted) == 8


def test_best_of_keeps_the_scale_of_a_search_distribution():
    res = variational.nes(WAVY, np.zeros((4, 3, 2)), steps=5, n=6, rng=0, covariance="diagonal")
    best = heuristics.best_of(res)
    assert isinstance(best, variational.VariationalResult)
    assert best.sigma.shape == (4, 2) and best.sigma_path.shape == (6, 4, 2)


# ---------------------------------------------------------------------------
# 6. Numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.0, 1e-12, 1e-9, 1e-8, 1e-6, 1e-3, 0.3, 3.0, 1e3])
def test_easom_smoothing_is_accurate_for_every_sigma(sigma):
    f = objectives.get("easom")
    x = np.array([[3.0, 3.1], [0.5, 2.0], [3.2, 6.0]])
    got, got_g = f.smoothed(x, sigma), f.smoothed_grad(x, sigma)
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(got_g))
    if sigma < 1e-3:  # the limit is f itself, to first order in sigma^2
        np.testing.assert_allclose(got, f(x), rtol=0, atol=10 * sigma**2 + 1e-15)
        np.testing.assert_allclose(got_g, f.grad(x), rtol=0, atol=10 * sigma**2 + 1e-15)
    else:  # against scipy's adaptive quadrature of the two 1-D factors
        quad = pytest.importorskip("scipy.integrate").quad

        def factor(m):
            def g(u):
                return (math.cos(u) * math.exp(-((u - math.pi) ** 2))
                        * math.exp(-((u - m) ** 2) / (2 * sigma**2)) / (math.sqrt(2 * math.pi) * sigma))

            lo, hi = max(math.pi - 12, m - 40 * sigma), min(math.pi + 12, m + 40 * sigma)
            return quad(g, lo, hi, limit=500, epsabs=1e-16, epsrel=1e-13)[0]

        ref = [-factor(a) * factor(b) for a, b in x]
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)
        h = 1e-6
        fd = (f.smoothed(x + [h, 0], sigma) - f.smoothed(x - [h, 0], sigma)) / (2 * h)
        np.testing.assert_allclose(got_g[:, 0], fd, rtol=1e-5, atol=1e-10)


def test_sinc_smoothing_is_right_far_out_and_refuses_beyond_its_range():
    scipy_integrate = pytest.importorskip("scipy.integrate")
    f = objectives.get("sinc")
    for x in (0.3, 59.5, 100.0, 1234.5, 54321.0):
        for s in (0.0, 0.05, 0.3):
            ref = -scipy_integrate.quad(lambda t: math.exp(-2 * math.pi**2 * s**2 * t**2), -0.5, 0.5,
                                        weight="cos", wvar=2 * math.pi * x, limit=5000)[0]
            assert float(f.smoothed([x], s)) == pytest.approx(ref, abs=1e-12)
    assert float(f.smoothed([100.0], 0.0)) == pytest.approx(-np.sinc(100.0), abs=1e-13)
    with pytest.raises(ValueError, match="100000"):
        f.smoothed([2e5], 0.3)


def test_full_covariance_nes_resumes_from_its_own_result():
    res = variational.nes(objectives.get("rosenbrock"), [[-1.0, 1.0]], steps=60, n=12, rng=0,
                          sigma0=0.5, covariance="full")
    assert np.any(np.triu(res.sigma[0], 1) != 0)  # a general factor, not a Cholesky one
    again = variational.nes(objectives.get("rosenbrock"), res.x, steps=60, n=12, rng=1,
                            sigma0=res.sigma, covariance="full")
    assert again.success.all()
    var = variational.variational(objectives.get("rosenbrock"), res.x, optimizers.adam(0.01),
                                  steps=5, n=12, rng=1, sigma0=res.sigma, covariance="full")
    np.testing.assert_allclose(variational.covariance_matrix(var.sigma_path[0], "full", 2),
                               variational.covariance_matrix(res.sigma, "full", 2))
    with pytest.raises(ValueError, match="singular"):
        variational.nes(BOWL, [0.0, 0.0], steps=1, n=4, rng=0, sigma0=[[1.0, 1.0], [1.0, 1.0]],
                        covariance="full")


@pytest.mark.parametrize("call", [
    lambda s: estimators.score_function(BOWL, [1.0, 2.0], sigma=s, n=10, rng=0),
    lambda s: estimators.smoothed_finite_difference(BOWL, [1.0, 2.0], sigma=s, n=4, delta=0.1, rng=0),
    lambda s: estimators.reparameterization(BOWL.grad, [1.0, 2.0], sigma=s, n=4, rng=0),
    lambda s: smoothing.monte_carlo(BOWL, [1.0, 2.0], sigma=s, n=4, rng=0),
    lambda s: so.minimize(BOWL, [1.0, 2.0], optimizers.sgd(0.1), steps=2, rng=0,
                          grad=estimators.oracle(BOWL, "score_function", sigma=s, n=4)),
], ids=["score", "sfd", "reparam", "mc", "oracle"])
def test_a_sigma_array_that_widens_the_batch_is_an_error(call):
    with pytest.raises(ValueError, match=r"'sigma' of shape \(3,\) would widen the batch"):
        call(np.array([0.1, 0.2, 0.3]))


def test_per_run_sigmas_still_work():
    g = estimators.score_function(BOWL, np.ones((3, 2)), sigma=np.array([0.1, 0.2, 0.3]), n=10, rng=0)
    assert g.shape == (3, 2)
    # deterministic smoothing may widen: one call at several widths
    assert BOWL.smoothed(np.zeros((1, 2)), np.array([[0.1], [0.2]])).shape == (2, 1)


def test_common_random_numbers_bound_the_variance_only_for_a_lipschitz_f():
    step, rng = objectives.get("step"), np.random.default_rng(5)
    x = np.full((20_000, 1), 0.3)

    def var(f, delta):
        return estimators.smoothed_finite_difference(f, x, sigma=0.5, n=1, delta=delta, rng=rng).var()

    ratio_jump = var(step, 1e-3) / var(step, 1e-2)  # grows like 1/delta: about 10
    ratio_smooth = var(objectives.get("quartic"), 1e-3) / var(objectives.get("quartic"), 1e-2)
    assert 6 < ratio_jump < 16 and 0.9 < ratio_smooth < 1.1


# ---------------------------------------------------------------------------
# Junk that used to be accepted, empty batches, Objective plumbing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda: optimizers.sgd("0.1"), "'lr' must be a number, got str"),
    (lambda: estimators.score_function(BOWL, [1.0, 2.0], sigma="0.3", n=4, rng=0), "'sigma'"),
    (lambda: so.minimize(BOWL, ["1", "2"], optimizers.sgd(0.1), steps=2), "'x0' must be an array of numbers"),
    (lambda: estimators.score_function(BOWL, [1.0, 2.0], sigma=0.3, n=4, rng=0, antithetic="no"),
     "'antithetic' must be True or False"),
    (lambda: estimators.oracle(BOWL, "reparameterization", sigma=0.3, n=4, antithetics=True),
     "unknown options"),
    (lambda: estimators.oracle(BOWL, "smoothed_finite_difference", sigma=0.3, n=4), "'delta'"),
    (lambda: objectives.Objective("mine", 2.7, lambda x: x), "'dim' must be an int"),
    (lambda: objectives.Objective("mine", 2, lambda x: x, bounds=[1, 2, 3]), "'bounds'"),
    (lambda: smoothing.quadrature(BOWL, [0.0, 0.0], sigma=1.0, order=1000), "at most 300"),
])
def test_junk_is_refused_naming_the_argument(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_the_finite_difference_oracle_does_not_call_f_when_built():
    calls = []
    f = objectives.Objective("counted", 2, lambda x: (calls.append(1), np.sum(x**2, -1))[1])
    estimators.oracle(f, "finite_difference")
    assert calls == []


def test_an_objective_needs_only_a_name_a_dimension_and_a_function():
    f = objectives.Objective("mine", 2, lambda x: np.sum(x**2, axis=-1))
    assert f.bounds is None and f([1.0, 2.0]) == 5.0
    with pytest.raises(TypeError, match="'bounds' is required"):
        heuristics.random_search(f, [0.0, 0.0], steps=2, rng=0)


@pytest.mark.parametrize("run", [
    lambda x: so.minimize(BOWL, x, optimizers.adam(0.1), steps=3),
    lambda x: variational.nes(BOWL, x, steps=3, n=4, rng=0, covariance="full"),
    lambda x: variational.variational(BOWL, x, optimizers.adam(0.1), steps=3, n=4, rng=0),
    lambda x: heuristics.simulated_annealing(BOWL, x, steps=3, step_size=0.1, temperature=1.0, rng=0),
    lambda x: heuristics.random_search(BOWL, x, steps=3, rng=0),
], ids=["minimize", "nes", "variational", "annealing", "random"])
def test_an_empty_batch_gives_an_empty_result(run):
    res = run(np.zeros((0, 2)))
    assert res.x.shape == (0, 2) and res.fun.shape == (0,) and "0 runs" in res.message


def test_basins_accepts_a_result():
    res = so.minimize(BOWL, np.ones((5, 2)), optimizers.sgd(0.25), steps=30)
    assert so.analysis.basins(res).counts.tolist() == [5]


def test_f_failing_at_the_final_iterates_does_not_lose_the_run():
    def f(x):
        if np.any(x < 0.5):
            raise ArithmeticError("out of my simulator's range")
        return np.sum(x**2, axis=-1)

    res = so.minimize(f, np.ones((3, 2)), optimizers.sgd(0.25), steps=5, grad=lambda x: 2 * x)
    assert np.all(np.isnan(res.fun)) and "out of my simulator's range" in res.message
    assert res.path.shape == (6, 3, 2)
