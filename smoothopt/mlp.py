r"""A small multilayer perceptron as a ``smoothopt`` objective over a flat parameter vector.

The network is the one of the book's backpropagation chapter: hidden linear layers with Leaky
ReLU, one hidden layer whose activation :math:`x^n` (for :math:`x > 0`) has a learnable exponent
:math:`n`, a linear output layer, and softmax cross-entropy with an L2 penalty on the weights.

.. math::

    u_k = h_{k-1} W_k + b_k, \qquad h_k = \phi_k(u_k), \qquad z = h_K W_o + b_o,

    L(\theta) = \frac1B \sum_{i=1}^{B} \Big(\log \sum_c e^{z_{ic}} - z_{i y_i}\Big)
    + \frac{\alpha}{2} \sum_{\text{weights}} \lVert W \rVert_F^2

with :math:`\phi(u) = u` for :math:`u > 0` and ``leak * u`` otherwise (Leaky ReLU), or
:math:`\phi(u) = u^n` for :math:`u > 0` in the power layer. All parameters (weights, biases and
:math:`n`) live in one flat vector ``theta``, so :func:`smoothopt.minimize` and every optimizer
train it; :meth:`MLP.minibatch_grad` gives the stochastic gradient oracle.

>>> import numpy as np
>>> from smoothopt.mlp import MLP
>>> X = np.random.default_rng(0).normal(size=(20, 3)); y = (X[:, 0] > 0).astype(int)
>>> net = MLP(X, y, hidden=(4, 3))
>>> theta = net.init(rng=0)
>>> theta.shape == (net.dim,), net(theta).shape, net.grad(theta).shape == (net.dim,)
(True, (), True)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._typing import Array, ArrayLike, Fn, Schedule, Seed
from ._checks import as_rng, count, nonnegative

__all__ = ["MLP", "Layer"]


class Layer(NamedTuple):
    """Where one layer's parameters sit in the flat vector."""

    W: slice
    b: slice
    shape: tuple  # (inputs, outputs)
    power: bool  # True for the x^n layer
    n: int | None  # index of the exponent in theta (power layer only)


class MLP:
    r"""Softmax classifier with Leaky ReLU layers and one learnable-exponent layer.

    Parameters
    ----------
    X : array_like, shape (N, d_in)
        Training inputs (scale them first; the power layer amplifies large activations).
    y : array_like of int, shape (N,)
        Class labels ``0, ..., C - 1``.
    hidden : sequence of int
        Widths of the hidden layers (at least one).
    power_layer : int or None
        Index into ``hidden`` of the layer with activation :math:`u^n` for :math:`u > 0`
        (``leak * u`` otherwise); default the last hidden layer; ``None`` for none.
    alpha : float
        L2 penalty :math:`\alpha` on the weight matrices (not on biases or :math:`n`).
    leak : float
        Slope of the activations for :math:`u \le 0`.
    n_classes : int, optional
        Number of classes (default ``max(y) + 1``).

    Attributes
    ----------
    dim : int
        Number of parameters, the length of ``theta``.
    layers : list of Layer
        Slices of each hidden layer and of the output layer (last) in ``theta``.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, hidden: tuple[int, ...] = (16, 8), *,
                 power_layer: int | None = -1, alpha: float = 1e-3, leak: float = 0.01,
                 n_classes: int | None = None) -> None:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"'X' must have shape (N, d_in) with N >= 1, got shape {X.shape}.")
        if not np.all(np.isfinite(X)):
            raise ValueError("'X' must be finite; it holds NaN or inf.")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"'y' must have shape ({X.shape[0]},) to match 'X', got {y.shape}.")
        if not np.issubdtype(y.dtype, np.integer):
            if not np.all(np.mod(y, 1) == 0):
                raise ValueError("'y' must hold integer class labels 0, ..., C - 1.")
            y = y.astype(int)
        if y.min() < 0:
            raise ValueError(f"'y' must hold labels >= 0, got {y.min()}.")
        C = int(y.max()) + 1 if n_classes is None else count(n_classes, "n_classes", 2)
        if y.max() >= C:
            raise ValueError(f"'y' holds label {y.max()} but n_classes = {C}.")
        hidden = tuple(count(h, "hidden") for h in hidden)
        if not hidden:
            raise ValueError("'hidden' must list at least one layer width, e.g. (16, 8).")
        if power_layer is not None:
            if not -len(hidden) <= power_layer < len(hidden):
                raise ValueError(f"'power_layer' must index 'hidden' (length {len(hidden)}), got {power_layer}.")
            power_layer %= len(hidden)
        self.X, self.y, self.n_classes = X, y, C
        self.alpha = nonnegative(alpha, "alpha")
        self.leak = nonnegative(leak, "leak")
        self.hidden, self.power_layer = hidden, power_layer
        self.layers = []
        pos, widths = 0, (X.shape[1],) + hidden + (C,)
        for k in range(len(widths) - 1):
            a, b = widths[k], widths[k + 1]
            W = slice(pos, pos + a * b)
            bias = slice(pos + a * b, pos + a * b + b)
            pos += a * b + b
            power = k == power_layer
            self.layers.append(Layer(W, bias, (a, b), power, pos if power else None))
            pos += int(power)
        self.dim = pos
        self.name = "mlp"
        self.has_grad = True

    # -- parameters --------------------------------------------------------
    def init(self, rng: Seed, n_range: tuple[float, float] = (1.4, 2.0)) -> Array:
        """A random starting point: He-scaled Gaussian weights, zero biases, ``n ~ U(n_range)``."""
        rng = as_rng(rng)
        theta = np.zeros(self.dim)
        for layer in self.layers:
            fan_in, fan_out = layer.shape
            theta[layer.W] = rng.normal(0, np.sqrt(2 / fan_in), fan_in * fan_out)
            if layer.power:
                theta[layer.n] = rng.uniform(*n_range)
        return theta

    def unpack(self, theta):
        """The parameters as a list of ``(W, b, n)`` per layer (``n`` is ``None`` but in the power layer)."""
        theta = self._theta(theta, batched=False)
        return [
            (theta[l.W].reshape(l.shape), theta[l.b], theta[l.n] if l.power else None)
            for l in self.layers
        ]

    # -- forward and backward --------------------------------------------
    def _act(self, u, n):
        pos = u > 0
        if n is None:
            return np.where(pos, u, self.leak * u)
        return np.where(pos, np.where(pos, u, 1.0) ** n, self.leak * u)

    def forward(self, theta, X=None):
        """Logits ``z`` of shape ``(B, C)`` and the cache ``[(h_prev, u), ...]`` for the backward pass (see :meth:`grad`)."""
        h = self.X if X is None else np.asarray(X, dtype=float)
        cache = []
        params = self.unpack(theta)
        for W, b, n in params[:-1]:
            u = h @ W + b
            cache.append((h, u))
            h = self._act(u, n)
        W, b, _ = params[-1]
        cache.append((h, None))
        return h @ W + b, cache

    def _loss_and_grad(self, theta, idx=None, want_grad=True):
        X = self.X if idx is None else self.X[idx]
        y = self.y if idx is None else self.y[idx]
        B = X.shape[0]
        z, cache = self.forward(theta, X)
        z = z - z.max(axis=1, keepdims=True)  # softmax is shift-invariant; avoids overflow
        logsum = np.log(np.exp(z).sum(axis=1))
        params = self.unpack(theta)
        penalty = 0.5 * self.alpha * sum(np.sum(W**2) for W, _, _ in params)
        loss = np.mean(logsum - z[np.arange(B), y]) + penalty
        if not want_grad:
            return loss, None
        g = np.zeros(self.dim)
        dz = np.exp(z - logsum[:, None])  # softmax probabilities, (B, C)
        dz[np.arange(B), y] -= 1.0
        dz /= B  # dL/dz for the mean loss
        dh = dz
        for layer, (W, b, n), (h_prev, u) in zip(self.layers[::-1], params[::-1], cache[::-1]):
            if u is None:  # output layer: linear
                du = dh
            else:
                pos = u > 0
                safe = np.where(pos, u, 1.0)
                if layer.power:
                    dact = np.where(pos, n * safe ** (n - 1), self.leak)
                    g[layer.n] = np.sum(dh * np.where(pos, safe**n * np.log(safe), 0.0))
                else:
                    dact = np.where(pos, 1.0, self.leak)
                du = dh * dact
            g[layer.W] = (h_prev.T @ du + self.alpha * W).ravel()
            g[layer.b] = du.sum(axis=0)
            dh = du @ W.T
        return loss, g

    # -- the objective interface ---------------------------------------------
    def __call__(self, theta: ArrayLike) -> Array:
        """Full-data loss at ``theta`` of shape ``(..., dim)``; returns shape ``(...)``."""
        theta = self._theta(theta)
        out = np.empty(theta.shape[:-1])
        for i in np.ndindex(out.shape):
            with np.errstate(all="ignore"):
                out[i] = self._loss_and_grad(theta[i], want_grad=False)[0]
        return out

    def grad(self, theta: ArrayLike) -> Array:
        """Full-data gradient at ``theta`` of shape ``(..., dim)``; returns the same shape."""
        theta = self._theta(theta)
        out = np.empty(theta.shape)
        for i in np.ndindex(theta.shape[:-1]):
            out[i] = self._loss_and_grad(theta[i])[1]
        return out

    def minibatch_grad(self, batch_size: int) -> Fn:
        r"""A stochastic gradient oracle ``grad(theta, rng)`` for :func:`smoothopt.minimize`.

        Each run draws its own minibatch of ``batch_size`` examples (with replacement) at every
        step, so :math:`\mathbb{E}\,\mathrm{grad} = \nabla L`.
        """
        batch_size = count(batch_size, "batch_size")

        def oracle(theta, rng):
            rng = as_rng(rng)
            theta = self._theta(theta)
            out = np.empty(theta.shape)
            for i in np.ndindex(theta.shape[:-1]):
                idx = rng.integers(0, self.X.shape[0], batch_size)
                out[i] = self._loss_and_grad(theta[i], idx)[1]
            return out

        return oracle

    def predict(self, theta: ArrayLike, X: ArrayLike) -> Any:
        """Predicted class labels for inputs ``X`` of shape ``(M, d_in)``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.X.shape[1]:
            raise ValueError(f"'X' must have shape (M, {self.X.shape[1]}), got {X.shape}.")
        with np.errstate(all="ignore"):
            return np.argmax(self.forward(theta, X)[0], axis=1)

    def accuracy(self, theta: ArrayLike, X: ArrayLike, y: ArrayLike) -> float:
        """Fraction of ``X`` classified as ``y``."""
        return float(np.mean(self.predict(theta, X) == np.asarray(y)))

    def _theta(self, theta, batched=True):
        theta = np.asarray(theta, dtype=float)
        if theta.ndim == 0 or theta.shape[-1] != self.dim or (not batched and theta.ndim != 1):
            want = f"({self.dim},)" if not batched else f"(..., {self.dim})"
            raise ValueError(f"'theta' must have shape {want} for this network, got {theta.shape}.")
        return theta

    def __repr__(self):
        return (f"MLP(d_in={self.X.shape[1]}, hidden={self.hidden}, classes={self.n_classes}, "
                f"power_layer={self.power_layer}, dim={self.dim})")
