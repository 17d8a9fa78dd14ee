"""smoothopt.testing: each checker passes the library's own code and fails deliberately wrong code.

The wrong versions are the mistakes learners (and the source notebooks) make. ``POWER`` at the
bottom measures the share of them each checker catches; the tests require all of them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from smoothopt import estimators, objectives, optimizers
from smoothopt.optimizers import Optimizer
from smoothopt.testing import (
    Report,
    check_gradient,
    check_optimizer,
    check_smoothed_gradient_estimator,
)

# ---------------------------------------------------------------------------------------------
# check_gradient
# ---------------------------------------------------------------------------------------------

WB = objectives.get("wavy_bowl")


def _wb_parts(p):
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return x, y, np.cos(2.5 * x - 5 * y), np.sin(4 * x + 8 * y)


def _wb(gx, gy):
    def grad(p):
        x, y, c, s = _wb_parts(p)
        return np.stack([gx(x, y, c, s), gy(x, y, c, s)], axis=-1)

    return grad


WRONG_GRADIENTS = {
    "bowl factor 2 missing": _wb(lambda x, y, c, s: (x - 2) - 2.5 * c + 4 * s,
                                 lambda x, y, c, s: (y - 2) + 5 * c + 8 * s),
    "sign flipped (gradient of -f)": lambda p: -WB.grad(p),
    "components swapped": lambda p: WB.grad(p)[..., ::-1],
    "chain rule forgotten": _wb(lambda x, y, c, s: 2 * (x - 2) - c + s,
                                lambda x, y, c, s: 2 * (y - 2) + c + s),
    "a term dropped": _wb(lambda x, y, c, s: 2 * (x - 2) - 2.5 * c,
                          lambda x, y, c, s: 2 * (y - 2) + 5 * c),
    "one component's sign": _wb(lambda x, y, c, s: 2 * (x - 2) - 2.5 * c + 4 * s,
                                lambda x, y, c, s: -(2 * (y - 2) + 5 * c + 8 * s)),
    "one wave's inner sign": _wb(lambda x, y, c, s: 2 * (x - 2) - 2.5 * c + 4 * s,
                                 lambda x, y, c, s: 2 * (y - 2) - 5 * c + 8 * s),
    "off by 1%": lambda p: 1.01 * WB.grad(p),
    "forward differences, h = 1e-4": lambda p: estimators.finite_difference(
        WB, p, h=1e-4, scheme="forward"),
    "mean over the batch": lambda p: np.mean(WB.grad(p), axis=0),
    "NaN at some points": lambda p: np.where(np.asarray(p) > 2.5, np.nan, WB.grad(p)),
}


@pytest.mark.parametrize("name", [n for n in objectives.names() if objectives.get(n).has_grad])
def test_check_gradient_passes_every_gallery_gradient(name):
    f = objectives.get(name)
    report = check_gradient(f.grad, f, rng=1)
    assert report.passed, report.message


def test_check_gradient_passes_a_one_point_gradient():
    def one_point(p):  # a learner's gradient written for a single point (d,)
        assert np.ndim(p) == 1
        return WB.grad(p)

    assert check_gradient(one_point, WB, rng=2).passed


@pytest.mark.parametrize("name", list(WRONG_GRADIENTS))
def test_check_gradient_fails_wrong_gradients(name):
    report = check_gradient(WRONG_GRADIENTS[name], WB, rng=3)
    assert not report.passed and isinstance(report.message, str) and report.message


def test_check_gradient_names_the_mistake():
    assert "0.5 times" in check_gradient(lambda p: np.asarray(p),
                                         objectives.get("bowl"), rng=0).message
    assert "sign is flipped" in check_gradient(WRONG_GRADIENTS["sign flipped (gradient of -f)"],
                                               WB, rng=0).message
    assert "swapped" in check_gradient(WRONG_GRADIENTS["components swapped"], WB, rng=0).message
    assert "wrong sign" in check_gradient(WRONG_GRADIENTS["one component's sign"], WB,
                                          rng=0).message


def test_not_implemented_is_a_report_not_an_error():
    def stub(*args, **kwargs):
        raise NotImplementedError

    for report in (check_gradient(stub, WB, rng=0),
                   check_smoothed_gradient_estimator(stub, WB, sigma=0.3, rng=0),
                   check_optimizer(Optimizer(lambda x: 0, stub), "sgd", lr=0.1)):
        assert isinstance(report, Report) and not report.passed
        assert "not implemented yet" in str(report) and str(report).startswith("FAILED")


def test_check_gradient_needs_a_window():
    with pytest.raises(ValueError, match="bounds"):
        check_gradient(lambda p: 2 * p, lambda p: (p**2).sum(-1), rng=0)
    assert check_gradient(lambda p: 2 * np.asarray(p), lambda p: (np.asarray(p) ** 2).sum(-1),
                          rng=0, bounds=[[-1, 1]] * 3).passed


# ---------------------------------------------------------------------------------------------
# check_smoothed_gradient_estimator
# ---------------------------------------------------------------------------------------------


def _score(f, x, *, sigma, n, rng):
    z = rng.standard_normal((n, x.shape[-1]))
    return (f(x + sigma * z)[:, None] * z).mean(axis=0) / sigma


def _scaled(c):
    return lambda f, x, *, sigma, n, rng: c * _score(f, x, sigma=sigma, n=n, rng=rng)


def _summed(f, x, *, sigma, n, rng):
    return n * _score(f, x, sigma=sigma, n=n, rng=rng)


def _own_baseline(f, x, *, sigma, n, rng):  # the baseline includes the sample itself: biased
    z = rng.standard_normal((n, x.shape[-1]))
    v = f(x + sigma * z)
    return ((v - v.mean())[:, None] * z).mean(axis=0) / sigma


def _two_draws(f, x, *, sigma, n, rng):  # a fresh z in the weight: mean zero
    z1, z2 = rng.standard_normal((2, n, x.shape[-1]))
    return (f(x + sigma * z1)[:, None] * z2).mean(axis=0) / sigma


def _averaged(f, x, *, sigma, n, rng):
    z = rng.standard_normal((n, x.shape[-1]))
    return np.full(x.shape[-1], np.mean(f(x + sigma * z)[:, None] * z) / sigma)


def _antithetic_halved(f, x, *, sigma, n, rng):  # divides by n/2 pairs' count twice
    z = rng.standard_normal((n // 2, x.shape[-1]))
    return ((f(x + sigma * z) - f(x - sigma * z))[:, None] * z).mean(axis=0) / (2 * sigma) / 2


def _grad_at_center(f, x, *, sigma, n, rng):  # the gradient of f, not of f_sigma
    return f.grad(x)


def _pathwise_zero(f, x, *, sigma, n, rng):  # the chain rule through floor: zero
    return np.zeros(x.shape[-1])


def _sigma_squared(f, x, *, sigma, n, rng):  # samples at sigma**2 instead of sigma
    z = rng.standard_normal((n, x.shape[-1]))
    return (f(x + sigma**2 * z)[:, None] * z).mean(axis=0) / sigma**2


def _tiny_fd_no_crn(f, x, *, sigma, n, rng):  # independent samples per side, delta = 1e-4
    return estimators.smoothed_finite_difference(f, x, sigma=sigma, n=n, delta=1e-4, rng=rng,
                                                 common_random_numbers=False)


WRONG_ESTIMATORS = {
    # name: (estimator, objective, sigma, words the message must contain)
    "missing 1/sigma": (_scaled(0.3), WB, 0.3, "missing 1/sigma"),
    "extra 1/sigma": (_scaled(1 / 0.3), WB, 0.3, "extra 1/sigma"),
    "sum instead of mean": (_summed, WB, 0.3, "missing 1/n"),
    "sign flipped": (_scaled(-1), WB, 0.3, "sign"),
    "biased by 10%": (_scaled(1.1), WB, 0.3, "1.1"),
    "biased by 5%": (_scaled(1.05), WB, 0.3, "times the truth"),
    "baseline includes its own sample": (_own_baseline, WB, 0.3, "includes the sample"),
    "a fresh z in the weight": (_two_draws, WB, 0.3, "its own z"),
    "components averaged": (_averaged, WB, 0.3, "averaged"),
    "antithetic divided twice": (_antithetic_halved, WB, 0.3, "1/2"),
    "gradient of f, not of f_sigma": (_grad_at_center, WB, 0.3, "not the gradient of the smoothed"),
    "samples at sigma**2": (_sigma_squared, WB, 0.3, "biased"),
    "pathwise on the terraces": (_pathwise_zero, objectives.get("quantized_wavy_bowl"), 0.3,
                                 "zero"),
    "pathwise on the step": (_pathwise_zero, objectives.get("step"), 0.2, "zero"),
    "tiny finite differences without common random numbers": (
        _tiny_fd_no_crn, objectives.get("step"), 0.2, "too noisy"),
}


def _pathwise(f, x, *, sigma, n, rng):
    return estimators.reparameterization(f.grad, x, sigma=sigma, n=n, rng=rng)


def _smoothed_fd(f, x, *, sigma, n, rng):
    return estimators.smoothed_finite_difference(f, x, sigma=sigma, n=n, delta=1e-3, rng=rng)


def _baseline(f, x, *, sigma, n, rng):
    return estimators.score_function(f, x, sigma=sigma, n=n, rng=rng, baseline=True)


def _antithetic(f, x, *, sigma, n, rng):
    return estimators.score_function(f, x, sigma=sigma, n=n, rng=rng, antithetic=True)


RIGHT_ESTIMATORS = {
    "score function": (estimators.score_function, WB, 0.3),
    "with baseline": (_baseline, WB, 0.3),
    "antithetic": (_antithetic, WB, 0.5),
    "pathwise": (_pathwise, WB, 0.3),
    "smoothed finite differences": (_smoothed_fd, WB, 0.3),
    "a learner's score function": (_score, WB, 0.3),
    "score function, rastrigin": (estimators.score_function, objectives.get("rastrigin"), 0.5),
    "antithetic on the terraces (no closed form)": (
        _antithetic, objectives.get("quantized_wavy_bowl"), 0.3),
    "score function on the step": (estimators.score_function, objectives.get("step"), 0.2),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RIGHT_ESTIMATORS))
def test_check_estimator_passes_right_estimators(name):
    est, f, sigma = RIGHT_ESTIMATORS[name]
    report = check_smoothed_gradient_estimator(est, f, sigma=sigma, rng=5)
    assert report.passed, report.message
    assert "variance" in report.message


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WRONG_ESTIMATORS))
def test_check_estimator_fails_wrong_estimators_and_says_why(name):
    est, f, sigma, words = WRONG_ESTIMATORS[name]
    report = check_smoothed_gradient_estimator(est, f, sigma=sigma, rng=6)
    assert not report.passed
    assert words in report.message, report.message


def test_check_estimator_reports_shape_and_missing_gradient():
    report = check_smoothed_gradient_estimator(lambda f, x, **k: 0.0, WB, sigma=0.3, rng=0)
    assert not report.passed and "shape" in report.message
    report = check_smoothed_gradient_estimator(_pathwise, objectives.get("quantized_wavy_bowl"),
                                               sigma=0.3, rng=0)
    assert not report.passed and "has none" in report.message
    with pytest.raises(ValueError, match="sigma"):
        check_smoothed_gradient_estimator(_score, WB, sigma=0, rng=0)


# ---------------------------------------------------------------------------------------------
# check_optimizer
# ---------------------------------------------------------------------------------------------


class _State(NamedTuple):
    count: int
    m: np.ndarray
    v: np.ndarray


def _rule(step):
    """An optimizer from ``step(g, t, m, v) -> (u, m, v)``, t = 1, 2, ..."""

    def init(x):
        z = np.zeros_like(np.asarray(x, dtype=float))
        return _State(0, z, z.copy())

    def update(g, s):
        u, m, v = step(np.asarray(g, dtype=float), s.count + 1, s.m, s.v)
        return u, _State(s.count + 1, m, v)

    return Optimizer(init, update)


def _adam_step(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, t_of=lambda t: t, correct=True,
               eps_inside=False):
    def step(g, t, m, v):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        tt = t_of(t)
        mh, vh = (m / (1 - b1**tt), v / (1 - b2**tt)) if correct else (m, v)
        den = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
        return -lr * mh / den, m, v

    return _rule(step)


def _inplace_adam(lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    def init(x):
        z = np.zeros_like(np.asarray(x, dtype=float))
        return _State(0, z, z.copy())

    def update(g, s):
        s.m[...] = b1 * s.m + (1 - b1) * g  # mutates the state it was given
        s.v[...] = b2 * s.v + (1 - b2) * g**2
        t = s.count + 1
        return -lr * (s.m / (1 - b1**t)) / (np.sqrt(s.v / (1 - b2**t)) + eps), _State(t, s.m, s.v)

    return Optimizer(init, update)


def _mom(step):
    return _rule(lambda g, t, m, v: step(g, m) + (v,))


WRONG_OPTIMIZERS = {
    # name: (optimizer, rule, hyperparameters, first wrong step or None)
    "sgd: ascent": (_rule(lambda g, t, m, v: (0.1 * g, m, v)), "sgd", {"lr": 0.1}, 1),
    "sgd: lr doubled": (optimizers.sgd(0.2), "sgd", {"lr": 0.1}, 1),
    "momentum: EMA form": (_mom(lambda g, m: (-0.1 * (0.9 * m + 0.1 * g), 0.9 * m + 0.1 * g)),
                           "momentum", {"lr": 0.1}, 1),
    "momentum: velocity not carried": (_mom(lambda g, m: (0.9 * m - 0.1 * g, m)), "momentum",
                                       {"lr": 0.1}, 2),
    "momentum: beta misread": (optimizers.momentum(0.1, beta=0.99), "momentum", {"lr": 0.1}, 2),
    "nesterov: heavy ball": (optimizers.momentum(0.1, beta=0.9), "nesterov", {"lr": 0.1}, 1),
    "adagrad: eps inside the root": (_rule(lambda g, t, m, v: (
        -0.1 * g / np.sqrt(v + g**2 + 1e-8), m, v + g**2)), "adagrad", {"lr": 0.1}, 1),
    "adagrad: no accumulation": (_rule(lambda g, t, m, v: (
        -0.1 * g / (np.abs(g) + 1e-8), m, v)), "adagrad", {"lr": 0.1}, 2),
    "rmsprop: no (1 - decay)": (_rule(lambda g, t, m, v: (
        -0.1 * g / (np.sqrt(0.9 * v + g**2) + 1e-8), m, 0.9 * v + g**2)), "rmsprop",
        {"lr": 0.1}, 1),
    "rmsprop: adagrad instead": (optimizers.adagrad(0.1), "rmsprop", {"lr": 0.1}, 1),
    "adam: fake first step (t from 0)": (_adam_step(t_of=lambda t: 0.001 if t == 1 else t - 1),
                                         "adam", {"lr": 0.1}, 1),
    "adam: no bias correction": (_adam_step(correct=False), "adam", {"lr": 0.1}, 1),
    "adam: eps inside the root": (_adam_step(eps_inside=True), "adam", {"lr": 0.1}, 1),
    "adam: t one ahead": (_adam_step(t_of=lambda t: t + 1), "adam", {"lr": 0.1}, 1),
    "adam: b1 and b2 swapped": (_adam_step(b1=0.999, b2=0.9), "adam", {"lr": 0.1}, 2),
    "adam: state changed in place": (_inplace_adam(), "adam", {"lr": 0.1}, None),
}


@pytest.mark.parametrize("rule", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_check_optimizer_passes_the_library(rule):
    build = getattr(optimizers, rule)
    assert check_optimizer(build(0.05), rule, lr=0.05).passed
    others = {"momentum": {"beta": 0.5}, "nesterov": {"beta": 0.7}, "adagrad": {"eps": 1e-6},
              "rmsprop": {"decay": 0.8, "eps": 1e-7}, "adam": {"b1": 0.8, "b2": 0.99, "eps": 1e-6},
              "sgd": {}}[rule]
    report = check_optimizer(build(0.3, **others), rule, lr=0.3, **others)
    assert report.passed, report.message
    # a factory of the hyperparameters works too
    assert check_optimizer(build, rule, lr=0.3, **others).passed
    # a schedule, evaluated at the number of steps already taken
    assert check_optimizer(build(lambda t: 0.1 / (1 + t)), rule, lr=lambda t: 0.1 / (1 + t)).passed


def test_check_optimizer_passes_an_equivalent_momentum():
    # v <- beta v + g, x <- x - lr v is the same rule as v <- beta v - lr g for a constant lr
    opt = _mom(lambda g, m: (-0.1 * (0.9 * m + g), 0.9 * m + g))
    assert check_optimizer(opt, "momentum", lr=0.1).passed


@pytest.mark.parametrize("name", list(WRONG_OPTIMIZERS))
def test_check_optimizer_fails_wrong_rules_and_finds_the_step(name):
    opt, rule, hp, first = WRONG_OPTIMIZERS[name]
    report = check_optimizer(opt, rule, **hp)
    assert not report.passed, name
    assert report.details.get("first_wrong_step") == first, report.message


def test_check_optimizer_names_the_source_notebooks_adam():
    opt, rule, hp, _ = WRONG_OPTIMIZERS["adam: fake first step (t from 0)"]
    report = check_optimizer(opt, rule, **hp)
    assert "t starts at 0" in report.message and "ratio 30" in report.message
    report = check_optimizer(*WRONG_OPTIMIZERS["adam: state changed in place"][:2], lr=0.1)
    assert "in-place" in report.message


def test_check_optimizer_arguments():
    with pytest.raises(ValueError, match="rule"):
        check_optimizer(optimizers.sgd(0.1), "lbfgs", lr=0.1)
    with pytest.raises(TypeError, match="lr"):
        check_optimizer(optimizers.sgd(0.1), "sgd")
    with pytest.raises(TypeError, match="beta"):
        check_optimizer(optimizers.sgd(0.1), "sgd", lr=0.1, beta=0.9)
    with pytest.raises(TypeError, match="init"):
        check_optimizer(3, "sgd", lr=0.1)


@pytest.mark.slow
def test_check_estimator_catches_a_few_percent_of_bias():
    # what the instructors' page states: 1.10 rejected at every seed tried, 1.05 at 4 of 5 or more
    assert all(not check_smoothed_gradient_estimator(_scaled(1.1), WB, sigma=0.3, rng=s).passed
               for s in range(3))
    assert sum(not check_smoothed_gradient_estimator(_scaled(1.05), WB, sigma=0.3, rng=s).passed
               for s in range(5)) >= 4


# ---------------------------------------------------------------------------------------------
# power: the share of wrong versions each checker catches (all, by the tests above)
# ---------------------------------------------------------------------------------------------


def power():
    """The share of the wrong versions above that each checker rejects, as a dict."""
    grads = np.mean([not check_gradient(g, WB, rng=3).passed for g in WRONG_GRADIENTS.values()])
    ests = np.mean([not check_smoothed_gradient_estimator(e, f, sigma=s, rng=6).passed
                    for e, f, s, _ in WRONG_ESTIMATORS.values()])
    opts = np.mean([not check_optimizer(o, r, **hp).passed
                    for o, r, hp, _ in WRONG_OPTIMIZERS.values()])
    return {"check_gradient": grads, "check_smoothed_gradient_estimator": ests,
            "check_optimizer": opts}


def _seed_adam(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, efficient=False):
    """The source notebook's Adam verbatim (seed 003), or Kingma and Ba's Section-2 order."""
    def step(g, t, m, v):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        if efficient:
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            return -lr_t * m / (np.sqrt(v) + eps), m, v
        i = t - 1  # the notebook counts from 0
        i = 0.001 if i == 0 else i
        return -lr * (m / (1 - b1**i)) / ((v / (1 - b2**i) + eps) ** 0.5), m, v

    return _rule(step)


def test_check_optimizer_names_the_verbatim_seed_adam():
    report = check_optimizer(_seed_adam(), "adam", lr=0.1)
    assert not report.passed and report.details["first_wrong_step"] == 1
    assert "both mistakes" in report.message and "inside the square root" in report.message


def test_check_optimizer_names_the_efficient_adam_order():
    report = check_optimizer(_seed_adam(efficient=True), "adam", lr=0.1)
    assert not report.passed
    assert "Section 2" in report.message and "Algorithm 1" in report.message
    assert "accumulator" not in report.message  # the hint points at eps, not the state
