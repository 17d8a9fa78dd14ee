"""Bad input: every wrong call raises ValueError or TypeError naming the argument.

Each case is a call a reader could plausibly make by mistake; the message must name the
offending argument (quoted, as the library writes it) so the fix is obvious.
"""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import analysis, estimators, minimize, objectives, optimizers, smoothing

WAVY = objectives.get("wavy_bowl")
QUANT = objectives.get("quantized_wavy_bowl")
X = np.array([1.0, 1.5])
SQ = lambda p: np.sum(p**2, axis=-1)  # noqa: E731
SGD = optimizers.sgd(0.1)

# (id, call, exception, regex the message must match)
CASES = [
    # --- sigma ---------------------------------------------------------------
    ("score sigma=0", lambda: estimators.score_function(SQ, X, sigma=0.0, n=4, rng=0), ValueError, "'sigma'"),
    ("pathwise sigma<0", lambda: estimators.reparameterization(WAVY.grad, X, sigma=-0.1, n=4, rng=0),
     ValueError, "'sigma'"),
    ("sfd sigma=nan", lambda: estimators.smoothed_finite_difference(SQ, X, sigma=np.nan, n=4, delta=0.1, rng=0),
     ValueError, "'sigma'"),
    ("monte_carlo sigma=0", lambda: smoothing.monte_carlo(SQ, X, sigma=0, n=10, rng=0), ValueError, "'sigma'"),
    ("quadrature sigma<0", lambda: smoothing.quadrature(SQ, X, sigma=-1.0), ValueError, "'sigma'"),
    ("smoothed sigma<0", lambda: WAVY.smoothed(X, -0.3), ValueError, "'sigma'"),
    ("smoothed_grad sigma=inf", lambda: WAVY.smoothed_grad(X, np.inf), ValueError, "'sigma'"),
    ("sigma of the wrong shape", lambda: estimators.score_function(SQ, np.zeros((3, 2)), sigma=[0.1, 0.2], n=4, rng=0),
     ValueError, r"'sigma' of shape \(2,\)"),
    ("smoothing sigma wrong shape", lambda: smoothing.monte_carlo(SQ, np.zeros((3, 2)), sigma=np.ones(4), n=4, rng=0),
     ValueError, "'sigma'"),
    ("objective sigma wrong shape", lambda: WAVY.smoothed(np.zeros((3, 2)), np.ones(2)), ValueError, "'sigma'"),
    ("sigma a string", lambda: estimators.score_function(SQ, X, sigma="big", n=4, rng=0), TypeError, "'sigma'"),
    ("oracle without sigma", lambda: estimators.oracle(WAVY, "score_function", n=4), TypeError, "'sigma'"),
    # --- n ---------------------------------------------------------------------
    ("n=0", lambda: estimators.score_function(SQ, X, sigma=0.3, n=0, rng=0), ValueError, "'n'"),
    ("n float", lambda: estimators.reparameterization(WAVY.grad, X, sigma=0.3, n=2.5, rng=0), TypeError, "'n'"),
    ("odd n with antithetic score", lambda: estimators.score_function(SQ, X, sigma=0.3, n=3, rng=0, antithetic=True),
     ValueError, "'n' must be even"),
    ("odd n with antithetic pathwise",
     lambda: estimators.reparameterization(WAVY.grad, X, sigma=0.3, n=5, rng=0, antithetic=True),
     ValueError, "'n' must be even"),
    ("leave-one-out baseline with n=1", lambda: estimators.score_function(SQ, X, sigma=0.3, n=1, rng=0, baseline=True),
     ValueError, "'n'"),
    ("monte_carlo n<1", lambda: smoothing.monte_carlo(SQ, X, sigma=0.3, n=-5, rng=0), ValueError, "'n'"),
    ("oracle without n", lambda: estimators.oracle(WAVY, "score_function", sigma=0.3), TypeError, "'n'"),
    # --- x, x0 and dimensions --------------------------------------------------------
    ("x with the wrong last dimension", lambda: WAVY(np.zeros((4, 3))), ValueError, "'x' has last dimension 3"),
    ("grad with the wrong last dimension", lambda: WAVY.grad([1.0]), ValueError, "'x'"),
    ("estimator x wrong dimension", lambda: estimators.score_function(WAVY, np.zeros(3), sigma=0.3, n=4, rng=0),
     ValueError, "'x'"),
    ("x0 with the wrong last dimension", lambda: minimize(WAVY, [1.0, 2.0, 3.0], SGD, steps=3), ValueError, "'x0'"),
    ("x a scalar", lambda: estimators.finite_difference(SQ, 1.0), ValueError, "'x'"),
    ("x not numbers", lambda: estimators.finite_difference(SQ, ["a", "b"]), TypeError, "'x'"),
    ("non-finite x0", lambda: minimize(WAVY, [np.nan, 1.0], SGD, steps=3), ValueError, "'x0' must be finite"),
    ("infinite x0", lambda: minimize(WAVY, [[0.0, 0.0], [np.inf, 1.0]], SGD, steps=3), ValueError, "'x0'"),
    # --- objectives ------------------------------------------------------------
    ("unknown objective", lambda: objectives.get("wavy_bowel"), ValueError, r"'name'.*wavy_bowl.*rastrigin"),
    ("objective name not a string", lambda: objectives.get(3), ValueError, "'name'"),
    ("dim for a fixed-dimension objective", lambda: objectives.get("wavy_bowl", dim=3), ValueError, "'dim'"),
    ("dim=0", lambda: objectives.get("rastrigin", dim=0), ValueError, "'dim'"),
    ("rosenbrock in 1-D", lambda: objectives.get("rosenbrock", dim=1), ValueError, "'dim'"),
    ("dim a float", lambda: objectives.get("bowl", dim=2.0), TypeError, "'dim'"),
    # --- optimizers ----------------------------------------------------------------
    ("lr=0", lambda: optimizers.sgd(0.0), ValueError, "'lr'"),
    ("lr<0", lambda: optimizers.adam(-1e-3), ValueError, "'lr'"),
    ("lr a string", lambda: optimizers.rmsprop("fast"), TypeError, "'lr'"),
    ("beta=1", lambda: optimizers.momentum(0.1, beta=1.0), ValueError, "'beta'"),
    ("beta>1", lambda: optimizers.nesterov(0.1, beta=1.5), ValueError, "'beta'"),
    ("adam b1=1", lambda: optimizers.adam(0.1, b1=1.0), ValueError, "'b1'"),
    ("adam b2<0", lambda: optimizers.adam(0.1, b2=-0.1), ValueError, "'b2'"),
    ("rmsprop decay=1", lambda: optimizers.rmsprop(0.1, decay=1.0), ValueError, "'decay'"),
    ("adagrad eps<0", lambda: optimizers.adagrad(0.1, eps=-1e-8), ValueError, "'eps'"),
    # --- minimize --------------------------------------------------------------
    ("negative steps", lambda: minimize(WAVY, X, SGD, steps=-1), ValueError, "'steps'"),
    ("steps a float", lambda: minimize(WAVY, X, SGD, steps=10.0), TypeError, "'steps'"),
    ("non-callable grad", lambda: minimize(WAVY, X, SGD, steps=3, grad=np.zeros(2)), TypeError, "'grad'"),
    ("optimizer not an Optimizer", lambda: minimize(WAVY, X, "adam", steps=3), TypeError, "'optimizer'"),
    ("optimizer a factory, not called", lambda: minimize(WAVY, X, optimizers.adam, steps=3), TypeError, "'optimizer'"),
    ("no gradient and no grad", lambda: minimize(QUANT, X, SGD, steps=3), ValueError, "'grad' is required"),
    ("f a name, not an objective", lambda: minimize("wavy_bowl", X, SGD, steps=3), TypeError, "'f'"),
    ("max_norm=0", lambda: minimize(WAVY, X, SGD, steps=3, max_norm=0), ValueError, "'max_norm'"),
    ("rng of the wrong type in minimize", lambda: minimize(WAVY, X, SGD, steps=3, rng="seed"), TypeError, "'rng'"),
    ("missing rng for a stochastic oracle",
     lambda: minimize(WAVY, X, SGD, steps=3, grad=estimators.oracle(WAVY, "score_function", sigma=0.3, n=4)),
     TypeError, "'rng' is required"),
    ("oracle built for another dimension",
     lambda: minimize(WAVY, X, SGD, steps=2, rng=0,
                      grad=estimators.oracle(objectives.get("bowl", dim=3), "score_function", sigma=0.3, n=4)),
     ValueError, "'x' has last dimension 2"),
    # --- estimators ------------------------------------------------------------
    ("bad scheme", lambda: estimators.finite_difference(SQ, X, scheme="centered"), ValueError, "'scheme'"),
    ("h=0", lambda: estimators.finite_difference(SQ, X, h=0.0), ValueError, "'h'"),
    ("hessian h<0", lambda: estimators.hessian(SQ, X, h=-1e-3), ValueError, "'h'"),
    ("delta=0", lambda: estimators.smoothed_finite_difference(SQ, X, sigma=0.3, n=4, delta=0.0, rng=0),
     ValueError, "'delta'"),
    ("delta<0", lambda: estimators.smoothed_finite_difference(SQ, X, sigma=0.3, n=4, delta=-0.1, rng=0),
     ValueError, "'delta'"),
    ("rng of the wrong type", lambda: estimators.score_function(SQ, X, sigma=0.3, n=4, rng=np.random.RandomState(0)),
     TypeError, "'rng'"),
    ("rng a float", lambda: smoothing.monte_carlo(SQ, X, sigma=0.3, n=4, rng=1.5), TypeError, "'rng'"),
    ("negative seed", lambda: estimators.score_function(SQ, X, sigma=0.3, n=4, rng=-1), ValueError, "'rng'"),
    ("missing rng", lambda: estimators.score_function(SQ, X, sigma=0.3, n=4, rng=None), TypeError, "'rng' is required"),
    ("baseline not a number", lambda: estimators.score_function(SQ, X, sigma=0.3, n=4, rng=0, baseline="mean"),
     TypeError, "'baseline'"),
    ("f not callable", lambda: estimators.score_function("f", X, sigma=0.3, n=4, rng=0), TypeError, "'f'"),
    ("grad not callable", lambda: estimators.reparameterization(None, X, sigma=0.3, n=4, rng=0), TypeError, "'grad'"),
    ("grad returning the wrong shape", lambda: estimators.reparameterization(SQ, X, sigma=0.3, n=4, rng=0),
     ValueError, "'grad' .*returned shape"),
    ("oracle unknown method", lambda: estimators.oracle(WAVY, "reinforce", sigma=0.3, n=4), ValueError, "'method'"),
    ("pathwise oracle without a gradient", lambda: estimators.oracle(QUANT, "reparameterization", sigma=0.3, n=4),
     ValueError, "'f' has no analytic gradient"),
    # --- smoothing and analysis --------------------------------------------------------
    ("quadrature order=0", lambda: smoothing.quadrature(SQ, X, sigma=0.3, order=0), ValueError, "'order'"),
    ("quadrature too many nodes", lambda: smoothing.quadrature(SQ, np.zeros(10), sigma=0.3, order=20),
     ValueError, "'order'"),
    ("monte_carlo stderr with n=1", lambda: smoothing.monte_carlo(SQ, X, sigma=0.3, n=1, rng=0, stderr=True),
     ValueError, "'n'"),
    ("basins tol=0", lambda: analysis.basins(np.zeros((3, 2)), tol=0.0), ValueError, "'tol'"),
    ("classify tol<0", lambda: analysis.classify_critical_points(WAVY, X, tol=-1.0), ValueError, "'tol'"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wrong_call_names_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_there_are_at_least_fifteen_distinct_wrong_calls():
    assert len({c[0] for c in CASES}) == len(CASES) >= 15
    assert all(c[2] in (ValueError, TypeError) for c in CASES)  # the types readers catch


def test_unknown_objective_message_lists_every_known_name():
    with pytest.raises(ValueError) as info:
        objectives.get("nope")
    for name in objectives.names():
        assert name in str(info.value)
