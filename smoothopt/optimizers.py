r"""Update rules as pure ``init``/``update`` pairs, in the style of optax.

An :class:`Optimizer` holds two functions: ``init(x) -> state`` and
``update(g, state) -> (u, state)``; the driver :func:`smoothopt.minimize` adds
the update, :math:`x_{t+1} = x_t + u_t`. States are immutable ``NamedTuple``\ s
whose arrays have the shape of ``x`` (any batch shape ``(..., d)``), so one
update moves every run at once. ``lr`` may be a number or a schedule, a
callable of the step count ``t = 0, 1, ...``.

>>> import numpy as np
>>> from smoothopt import optimizers
>>> opt = optimizers.adam(lr=0.1)
>>> state = opt.init(np.zeros(2))
>>> u, state = opt.update(np.array([1.0, -4.0]), state)
>>> u.round(6)  # the first Adam step is lr * sign(g)
array([-0.1,  0.1])
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import nonnegative, positive, schedule_value, unit_interval

__all__ = [
    "Optimizer",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "SgdState",
    "MomentumState",
    "AdagradState",
    "RmspropState",
    "AdamState",
]


class Optimizer(NamedTuple):
    """An update rule: ``init(x) -> state``, ``update(g, state) -> (u, state)``."""

    init: Callable
    update: Callable
    name: str = "optimizer"


def _rate(lr):
    """A schedule ``t -> lr``; checks a constant now and a schedule when called.

    A schedule may reach 0 (no step, as optax allows, so one that decays or
    underflows to 0 does not stop a run); it must stay finite and non-negative.
    """
    if callable(lr):

        def rate(t):
            return schedule_value(lr, t, "lr")

        return rate
    value = positive(lr, "lr")
    return lambda t: value


def _scaled(g, denom, eps):
    """``g / denom`` (``g`` already scaled by ``-lr``) with ``denom = sqrt(.) + eps``; with ``eps = 0`` a coordinate whose
    gradient has always been 0 gets the update 0 (0/0 -> 0, as in optax), not NaN."""
    if eps > 0:
        return g / denom
    return np.divide(g, denom, out=np.zeros(np.broadcast_shapes(np.shape(g), np.shape(denom))),
                     where=denom > 0)


class SgdState(NamedTuple):
    count: int


class MomentumState(NamedTuple):
    count: int
    v: np.ndarray  # velocity, same shape as x


class AdagradState(NamedTuple):
    count: int
    sum_sq: np.ndarray  # running sum of squared gradients


class RmspropState(NamedTuple):
    count: int
    v: np.ndarray  # moving average of squared gradients


class AdamState(NamedTuple):
    count: int
    m: np.ndarray  # first moment
    v: np.ndarray  # second moment


def sgd(lr: Schedule) -> Optimizer:
    r"""Plain gradient descent.

    .. math::

        u_t = -\eta\, g_t

    Parameters
    ----------
    lr : float or callable
        Step size :math:`\eta` (or a schedule ``t -> lr``).

    Examples
    --------
    >>> opt = sgd(0.1)
    >>> opt.update(np.array([2.0]), opt.init(np.zeros(1)))[0]
    array([-0.2])
    """
    rate = _rate(lr)

    def init(x):
        return SgdState(0)

    def update(g, state):
        return -rate(state.count) * g, SgdState(state.count + 1)

    return Optimizer(init, update, "sgd")


def momentum(lr: Schedule, beta: float = 0.9) -> Optimizer:
    r"""Heavy-ball momentum (Polyak, 1964).

    .. math::

        v_{t+1} = \beta v_t - \eta\, g_t, \qquad u_t = v_{t+1}

    equivalently :math:`x_{t+1} = x_t - \eta g_t + \beta (x_t - x_{t-1})`:
    a ball with friction :math:`1 - \beta` rolling in the potential ``f``.

    Parameters
    ----------
    lr : float or callable
    beta : float in [0, 1)
        Momentum; ``beta = 0`` is plain gradient descent.

    Examples
    --------
    >>> opt = momentum(0.1, beta=0.5)
    >>> s = opt.init(np.zeros(1))
    >>> u1, s = opt.update(np.array([1.0]), s)
    >>> u2, s = opt.update(np.array([1.0]), s)
    >>> u1, u2   # -0.1, then 0.5 * (-0.1) - 0.1
    (array([-0.1]), array([-0.15]))
    """
    rate = _rate(lr)
    beta = unit_interval(beta, "beta")

    def init(x):
        return MomentumState(0, np.zeros_like(np.asarray(x, dtype=float)))

    def update(g, state):
        v = beta * state.v - rate(state.count) * g  # (Polyak 1964, eq. 9)
        return v, MomentumState(state.count + 1, v)

    return Optimizer(init, update, "momentum")


def nesterov(lr: Schedule, beta: float = 0.9) -> Optimizer:
    r"""Nesterov's accelerated gradient, in the look-ahead-free form.

    Nesterov evaluates the gradient at the look-ahead point
    :math:`y_t = x_t + \beta v_t`. Tracking :math:`y` instead of :math:`x`
    gives an update that needs the gradient at the current iterate only
    (the form of Bengio, Boulanger-Lewandowski and Pascanu 2013, used by optax and
    PyTorch; Sutskever et al. 2013 write the look-ahead form):

    .. math::

        v_{t+1} = \beta v_t - \eta\, g_t, \qquad u_t = \beta v_{t+1} - \eta\, g_t

    Parameters
    ----------
    lr : float or callable
    beta : float in [0, 1)

    Examples
    --------
    >>> opt = nesterov(0.1, beta=0.5)
    >>> opt.update(np.array([1.0]), opt.init(np.zeros(1)))[0]  # 0.5 * -0.1 - 0.1
    array([-0.15])
    """
    rate = _rate(lr)
    beta = unit_interval(beta, "beta")

    def init(x):
        return MomentumState(0, np.zeros_like(np.asarray(x, dtype=float)))

    def update(g, state):
        step = rate(state.count) * g
        v = beta * state.v - step
        return beta * v - step, MomentumState(state.count + 1, v)

    return Optimizer(init, update, "nesterov")


def adagrad(lr: Schedule, eps: float = 1e-8) -> Optimizer:
    r"""AdaGrad (Duchi, Hazan and Singer, 2011): per-coordinate step sizes.

    .. math::

        G_{t+1} = G_t + g_t^2, \qquad u_t = -\eta\, \frac{g_t}{\sqrt{G_{t+1}} + \epsilon}

    The accumulated squares only grow, so the effective step only shrinks.

    >>> opt = adagrad(0.5)
    >>> opt.update(np.array([3.0, -0.1]), opt.init(np.zeros(2)))[0].round(6)
    array([-0.5,  0.5])
    """
    rate = _rate(lr)
    eps = nonnegative(eps, "eps")

    def init(x):
        return AdagradState(0, np.zeros_like(np.asarray(x, dtype=float)))

    def update(g, state):
        s = state.sum_sq + g**2
        return _scaled(-rate(state.count) * g, np.sqrt(s) + eps, eps), AdagradState(state.count + 1, s)

    return Optimizer(init, update, "adagrad")


def rmsprop(lr: Schedule, decay: float = 0.9, eps: float = 1e-8) -> Optimizer:
    r"""RMSProp (Tieleman and Hinton, 2012): AdaGrad with a forgetting average.

    .. math::

        v_{t+1} = \rho\, v_t + (1 - \rho)\, g_t^2, \qquad
        u_t = -\eta\, \frac{g_t}{\sqrt{v_{t+1}} + \epsilon}

    >>> opt = rmsprop(0.01, decay=0.9)
    >>> opt.update(np.array([2.0]), opt.init(np.zeros(1)))[0].round(6)  # -0.01 * 2 / sqrt(0.4)
    array([-0.031623])
    """
    rate = _rate(lr)
    decay = unit_interval(decay, "decay")
    eps = nonnegative(eps, "eps")

    def init(x):
        return RmspropState(0, np.zeros_like(np.asarray(x, dtype=float)))

    def update(g, state):
        v = decay * state.v + (1 - decay) * g**2
        return _scaled(-rate(state.count) * g, np.sqrt(v) + eps, eps), RmspropState(state.count + 1, v)

    return Optimizer(init, update, "rmsprop")


def adam(lr: Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    r"""Adam (Kingma and Ba, 2015): momentum plus RMSProp, bias-corrected.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,

        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
        u_t = -\eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`t = 1, 2, \ldots` counting steps (Algorithm 1 of the paper).
    Starting the moments at zero biases them: :math:`\mathbb{E}\, m_t =
    (1 - \beta_1^t)\, \mathbb{E}\, g` for stationary gradients, which the
    division undoes exactly.

    >>> opt = adam(0.1)
    >>> opt.update(np.array([0.5]), opt.init(np.zeros(1)))[0].round(6)
    array([-0.1])
    """
    rate = _rate(lr)
    b1 = unit_interval(b1, "b1")
    b2 = unit_interval(b2, "b2")
    eps = nonnegative(eps, "eps")

    def init(x):
        z = np.zeros_like(np.asarray(x, dtype=float))
        return AdamState(0, z, z.copy())

    def update(g, state):
        t = state.count + 1
        m = b1 * state.m + (1 - b1) * g  # (Alg. 1, first moment)
        v = b2 * state.v + (1 - b2) * g**2  # (Alg. 1, second moment)
        m_hat = m / (1 - b1**t)  # bias correction
        v_hat = v / (1 - b2**t)
        return _scaled(-rate(state.count) * m_hat, np.sqrt(v_hat) + eps, eps), AdamState(t, m, v)

    return Optimizer(init, update, "adam")
