"""Update rules: first steps by hand, convergence, Nesterov's form, sgd's stability limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smoothopt import minimize, objectives, optimizers

# Two gradients fed in turn to every rule; the hand computations below use them.
G1, G2, G3 = 2.0, -1.0, 0.5


def _run(opt, grads, x0=0.0):
    """Feed scalar gradients to ``opt`` and return its updates as floats."""
    state = opt.init(np.array([x0]))
    out = []
    for g in grads:
        u, state = opt.update(np.array([g]), state)
        assert u.shape == (1,)
        out.append(float(u[0]))
    return out


# ---------------------------------------------------------------------------
# The first steps, from the published update rules
# ---------------------------------------------------------------------------


def test_sgd_first_steps_by_hand():
    lr = 0.1
    assert _run(optimizers.sgd(lr), [G1, G2, G3]) == pytest.approx([-0.2, 0.1, -0.05], rel=1e-15)


def test_momentum_first_steps_by_hand():
    # Polyak: v <- beta v - lr g; x <- x + v.
    lr, beta = 0.1, 0.9
    v1 = 0.9 * 0.0 - 0.1 * 2.0  # -0.2
    v2 = 0.9 * v1 - 0.1 * -1.0  # -0.18 + 0.1 = -0.08
    v3 = 0.9 * v2 - 0.1 * 0.5  # -0.072 - 0.05 = -0.122
    assert (v1, v2, v3) == pytest.approx((-0.2, -0.08, -0.122))
    assert _run(optimizers.momentum(lr, beta), [G1, G2, G3]) == pytest.approx([v1, v2, v3], rel=1e-14)


def test_nesterov_first_steps_by_hand():
    # Look-ahead-free form: v <- beta v - lr g; step = beta v - lr g.
    lr, beta = 0.1, 0.9
    v1 = -0.2
    u1 = 0.9 * -0.2 - 0.2  # -0.38
    v2 = 0.9 * -0.2 + 0.1  # -0.08
    u2 = 0.9 * -0.08 + 0.1  # 0.028
    v3 = 0.9 * -0.08 - 0.05  # -0.122
    u3 = 0.9 * -0.122 - 0.05  # -0.1598
    assert (u1, u2, u3) == pytest.approx((-0.38, 0.028, -0.1598))
    assert v1 == -0.2
    assert _run(optimizers.nesterov(lr, beta), [G1, G2, G3]) == pytest.approx([u1, u2, u3], rel=1e-13)


def test_adagrad_first_steps_by_hand():
    # Duchi et al.: G <- G + g^2; x <- x - lr g / (sqrt(G) + eps).
    lr, eps = 0.5, 1e-8
    u1 = -0.5 * 2.0 / (math.sqrt(4.0) + eps)  # -0.5
    u2 = -0.5 * -1.0 / (math.sqrt(5.0) + eps)  # 0.5 / sqrt(5)
    u3 = -0.5 * 0.5 / (math.sqrt(5.25) + eps)
    assert _run(optimizers.adagrad(lr, eps), [G1, G2, G3]) == pytest.approx([u1, u2, u3], rel=1e-14)


def test_rmsprop_first_steps_by_hand():
    # Tieleman & Hinton: v <- rho v + (1 - rho) g^2; x <- x - lr g / (sqrt(v) + eps).
    lr, rho, eps = 0.01, 0.9, 1e-8
    v1 = 0.1 * 4.0  # 0.4
    v2 = 0.9 * 0.4 + 0.1 * 1.0  # 0.46
    v3 = 0.9 * 0.46 + 0.1 * 0.25  # 0.439
    expected = [-0.01 * 2.0 / (math.sqrt(v1) + eps), 0.01 / (math.sqrt(v2) + eps),
                -0.01 * 0.5 / (math.sqrt(v3) + eps)]
    assert _run(optimizers.rmsprop(lr, rho, eps), [G1, G2, G3]) == pytest.approx(expected, rel=1e-14)


def test_adam_first_steps_by_hand():
    # Kingma & Ba, Algorithm 1, with t counting from 1.
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    m1 = 0.1 * 2.0  # 0.2
    v1 = 0.001 * 4.0  # 0.004
    mh1, vh1 = m1 / (1 - 0.9), v1 / (1 - 0.999)  # 2.0, 4.0: bias correction undoes the zero start
    u1 = -0.1 * mh1 / (math.sqrt(vh1) + eps)  # -0.1 (= -lr sign(g) at t = 1)
    m2 = 0.9 * 0.2 + 0.1 * -1.0  # 0.08
    v2 = 0.999 * 0.004 + 0.001 * 1.0  # 0.004996
    mh2, vh2 = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)  # 0.08 / 0.19, 0.004996 / 0.001999
    u2 = -0.1 * mh2 / (math.sqrt(vh2) + eps)
    m3 = 0.9 * 0.08 + 0.1 * 0.5
    v3 = 0.999 * 0.004996 + 0.001 * 0.25
    u3 = -0.1 * (m3 / (1 - 0.9**3)) / (math.sqrt(v3 / (1 - 0.999**3)) + eps)
    assert u1 == pytest.approx(-0.1, rel=1e-8)  # eps / sqrt(vh1) = 5e-9 relative
    assert _run(optimizers.adam(lr, b1, b2, eps), [G1, G2, G3]) == pytest.approx([u1, u2, u3], rel=1e-13)


def test_updates_act_per_coordinate_and_per_run():
    # Adaptive rules scale each coordinate of each run separately.
    g = np.array([[[2.0, -0.01]], [[1e3, 5.0]]])  # shape (2, 1, 2)
    for opt in (optimizers.adagrad(0.1), optimizers.rmsprop(0.1), optimizers.adam(0.1)):
        u, _ = opt.update(g, opt.init(np.zeros_like(g)))
        assert u.shape == g.shape
    u, _ = optimizers.adagrad(0.1).update(g, optimizers.adagrad(0.1).init(np.zeros_like(g)))
    np.testing.assert_allclose(u, -0.1 * np.sign(g), rtol=1e-6)  # |g| / sqrt(g^2) = 1


def test_learning_rate_schedule_is_called_with_the_step_count():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1 / (1 + t)

    out = _run(optimizers.sgd(schedule), [1.0, 1.0, 1.0])
    assert seen == [0, 1, 2]
    assert out == pytest.approx([-0.1, -0.05, -0.1 / 3])
    # Adam's bias correction uses t = 1, 2, ... while the schedule sees 0, 1, ...
    seen.clear()
    out = _run(optimizers.adam(schedule), [1.0, 1.0])
    assert seen == [0, 1] and out == pytest.approx([-0.1, -0.05], rel=1e-7)


def test_a_schedule_that_returns_a_bad_rate_is_caught():
    opt = optimizers.sgd(lambda t: 0.1 - 0.1 * t)  # 0 at t = 1, negative at t = 2
    state = opt.init(np.zeros(1))
    _, state = opt.update(np.ones(1), state)
    u, state = opt.update(np.ones(1), state)  # a zero rate is no step (as in optax), not an error
    assert u == pytest.approx([0.0])
    with pytest.raises(ValueError, match=r"'lr'.*-0\.1.*t = 2.*non-negative"):
        opt.update(np.ones(1), state)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", None, np.ones(2)])
def test_a_schedule_returning_junk_is_named(bad):
    opt = optimizers.adam(lambda t: bad)
    with pytest.raises((ValueError, TypeError), match="'lr'.*schedule"):
        opt.update(np.ones(1), opt.init(np.zeros(1)))


def test_a_schedule_that_underflows_to_zero_does_not_stop_a_run():
    from smoothopt import minimize, objectives

    res = minimize(objectives.get("bowl"), [1.0, 1.0], optimizers.sgd(lambda t: 0.1 * 0.5**t),
                   steps=1200, record="last")
    assert res.success and np.all(np.isfinite(res.x))


@pytest.mark.parametrize("make", [lambda: optimizers.adagrad(0.1, eps=0.0),
                                  lambda: optimizers.rmsprop(0.1, eps=0.0),
                                  lambda: optimizers.adam(0.1, eps=0.0)])
def test_eps_zero_leaves_a_zero_gradient_coordinate_where_it_is(make):
    # As optax: 0 / (sqrt(0) + 0) is taken as a zero update, not NaN.
    from smoothopt import minimize

    res = minimize(lambda p: p[..., 0] ** 2, [[1.0, 5.0]], make(), steps=50,
                   grad=lambda p: np.stack([2 * p[..., 0], 0 * p[..., 1]], axis=-1))
    assert res.success.all() and res.x[0, 1] == 5.0 and abs(res.x[0, 0]) < 1.0


# ---------------------------------------------------------------------------
# Convergence within stated tolerances
# ---------------------------------------------------------------------------

# On bowl (f = |x|^2, gradient 2x, curvature 2) from (3, -2):
#  - sgd lr = 0.25: the error shrinks by |1 - 2 lr| = 1/2 per step: 2^-60 * 3.6 after 60 steps;
#  - momentum/nesterov lr = 0.1, beta = 0.5: spectral radius < 0.6, so 100 steps reach 1e-20;
#  - adagrad lr = 1: the first step is -lr sign(g) and its steps then shrink geometrically;
#  - rmsprop and adam normalize the gradient, so with a constant lr they oscillate at the
#    scale lr near the minimum: a decaying schedule lr_t = 0.1 * 0.99^t (total travel 10,
#    enough to reach 0 from |x| = 3) lets them settle.
BOWL_CASES = {
    "sgd": (optimizers.sgd(0.25), 60, 1e-12),
    "momentum": (optimizers.momentum(0.1, 0.5), 100, 1e-12),
    "nesterov": (optimizers.nesterov(0.1, 0.5), 100, 1e-12),
    "adagrad": (optimizers.adagrad(1.0), 300, 1e-12),
    "rmsprop": (optimizers.rmsprop(lambda t: 0.1 * 0.99**t), 1000, 1e-3),
    "adam": (optimizers.adam(lambda t: 0.1 * 0.99**t), 1000, 1e-3),
}

# On rosenbrock from the classic start (-1.2, 1), minimum (1, 1); the largest Hessian
# eigenvalue along the valley is ~1000, so plain steps need lr < 2e-3:
#  - sgd lr = 1e-3: the flat direction of the valley (curvature ~0.4) contracts by
#    1 - 4e-4 per step, so 20,000 steps give ~e^-8;
#  - momentum/nesterov lr = 1e-3, beta = 0.9: ~10x faster along the valley (1 / (1 - beta));
#  - adagrad lr = 1: its step lr / sqrt(sum g^2) keeps shrinking, so it crawls along the
#    valley: we ask only for 3e-2 after 5000 steps;
#  - rmsprop: a decaying lr_t = 1e-2 * 0.999^t (constant lr leaves a limit cycle of size lr);
#  - adam lr = 0.02: its momentum carries it round the bend; it converges fully by 5000.
ROSEN_CASES = {
    "sgd": (optimizers.sgd(1e-3), 20_000, 1e-3),
    "momentum": (optimizers.momentum(1e-3, 0.9), 3000, 1e-4),
    "nesterov": (optimizers.nesterov(1e-3, 0.9), 3000, 1e-4),
    "adagrad": (optimizers.adagrad(1.0), 5000, 3e-2),
    "rmsprop": (optimizers.rmsprop(lambda t: 1e-2 * 0.999**t, 0.9), 5000, 1e-2),
    "adam": (optimizers.adam(0.02), 5000, 1e-4),
}


@pytest.mark.parametrize("name", list(BOWL_CASES))
def test_converges_on_bowl(name):
    opt, steps, tol = BOWL_CASES[name]
    res = minimize(objectives.get("bowl"), [3.0, -2.0], opt, steps=steps)
    assert res.status == "completed"
    assert np.abs(res.x).max() < tol, f"{name}: ended at {res.x}"


@pytest.mark.parametrize("name", list(ROSEN_CASES))
def test_converges_on_rosenbrock(name):
    opt, steps, tol = ROSEN_CASES[name]
    f = objectives.get("rosenbrock")
    res = minimize(f, [-1.2, 1.0], opt, steps=steps)
    assert res.status == "completed"
    assert np.abs(res.x - 1.0).max() < tol, f"{name}: ended at {res.x}"
    # And it went downhill overall: from f(-1.2, 1) = 24.2.
    assert res.fun < 1e-2 * f([-1.2, 1.0])


# ---------------------------------------------------------------------------
# Nesterov: the look-ahead-free form is the textbook look-ahead iteration
# ---------------------------------------------------------------------------


def test_nesterov_matches_the_textbook_look_ahead_iteration():
    # Quadratic 0.5 x^T A x with two curvatures, so both coordinates matter.
    a = np.array([3.0, 0.2])
    f = objectives.Objective("quad", 2, lambda p: 0.5 * np.sum(a * p**2, -1), grad=lambda p: a * p,
                             bounds=[[-1, 1], [-1, 1]], formula="")
    lr, beta, steps = 0.1, 0.8, 40
    res = minimize(f, [1.0, -2.0], optimizers.nesterov(lr, beta), steps=steps)
    # Textbook (Sutskever et al. 2013): y = x + beta v; v = beta v - lr grad(y); x = x + v.
    x, v = np.array([1.0, -2.0]), np.zeros(2)
    looks = []
    for _ in range(steps + 1):
        y = x + beta * v
        looks.append(y)
        v = beta * v - lr * a * y
        x = x + v
    # The library's iterate is the look-ahead point y_t (y_0 = x_0 since v_0 = 0).
    np.testing.assert_allclose(res.path, np.array(looks), rtol=1e-12, atol=1e-15)
    # ... which is not plain heavy-ball momentum.
    heavy = minimize(f, [1.0, -2.0], optimizers.momentum(lr, beta), steps=steps)
    assert np.abs(heavy.path - res.path).max() > 1e-2


# ---------------------------------------------------------------------------
# sgd's stability limit lr < 2 / k on 0.5 k x^2
# ---------------------------------------------------------------------------


def _quadratic(k):
    return objectives.Objective("q", 1, lambda p: 0.5 * k * p[..., 0] ** 2, grad=lambda p: k * p,
                                bounds=[[-1, 1]], formula="0.5 k x^2")


@pytest.mark.parametrize("k", [0.5, 4.0, 100.0])
def test_sgd_stability_limit(k):
    f = _quadratic(k)
    # x_{t+1} = (1 - lr k) x_t: |1 - lr k| < 1 iff lr < 2 / k.
    stable = minimize(f, [1.0], optimizers.sgd(0.9 * 2 / k), steps=400)
    assert stable.status == "completed"
    assert abs(stable.x[0]) < 0.8**400 * 1.01 + 1e-300  # |1 - 1.8| = 0.8 per step
    # lr = 1.1 * 2 / k: factor |1 - 2.2| = 1.2 per step, so |x| passes 1e8 after
    # log(1e8) / log(1.2) ~ 101 steps, and would overflow to inf near step 3900.
    unstable = minimize(f, [1.0], optimizers.sgd(1.1 * 2 / k), steps=5000)
    assert unstable.status == "diverged"
    assert unstable.diverged_at == math.ceil(math.log(1e8) / math.log(1.2))
    assert np.all(np.isnan(unstable.path[unstable.diverged_at:]))
    assert np.isfinite(unstable.x).all() and np.isfinite(unstable.fun)
    assert "1 diverged" in unstable.message
    # values along a diverged path are NaN after divergence, and no warning escaped
    assert np.isnan(unstable.values[-1])


def test_sgd_at_exactly_2_over_k_oscillates_forever():
    # The borderline: factor |1 - 2| = 1, so x alternates between +1 and -1.
    res = minimize(_quadratic(4.0), [1.0], optimizers.sgd(0.5), steps=11)
    assert res.status == "completed"
    np.testing.assert_array_equal(res.path[:, 0], [(-1.0) ** t for t in range(12)])
