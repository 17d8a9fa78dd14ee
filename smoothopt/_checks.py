"""Input checks shared by the public functions.

Every public function validates its arguments here and raises ``ValueError``
or ``TypeError`` naming the argument, what was given and what to do instead.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_rng",
    "as_points",
    "positive",
    "nonnegative",
    "count",
    "callable_arg",
    "unit_interval",
]


def as_rng(rng, name="rng"):
    """Return a ``numpy.random.Generator`` from a Generator or an int seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        raise TypeError(
            f"'{name}' is required: pass a numpy.random.Generator or an int seed, "
            "e.g. rng=np.random.default_rng(0) or rng=0."
        )
    if isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"'{name}' must be a non-negative int seed, got {rng}.")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"'{name}' must be a numpy.random.Generator or an int seed, got "
        f"{type(rng).__name__}."
    )


def as_points(x, name="x", dim=None, finite=False):
    """Return ``x`` as a float array of shape ``(..., d)`` with at least one dim."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"'{name}' must be an array of numbers of shape (..., d), got "
            f"{type(x).__name__}."
        ) from None
    if arr.ndim == 0:
        raise ValueError(
            f"'{name}' must have shape (..., d) with a last axis for the coordinates; "
            f"got a scalar. For a 1-D problem pass [{float(arr)!r}]."
        )
    if dim is not None and arr.shape[-1] != dim:
        raise ValueError(
            f"'{name}' has last dimension {arr.shape[-1]} but the objective takes "
            f"d = {dim} coordinates; pass an array of shape (..., {dim})."
        )
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"'{name}' must be finite; it holds NaN or inf.")
    return arr


def positive(value, name, allow_array=False):
    """Check ``value > 0`` (a finite number, or an array if allowed)."""
    arr = _number(value, name, allow_array)
    if not np.all(np.isfinite(arr)) or not np.all(arr > 0):
        raise ValueError(f"'{name}' must be positive and finite, got {value!r}.")
    return arr if allow_array and np.ndim(arr) else float(arr)


def nonnegative(value, name):
    arr = _number(value, name, False)
    if not np.isfinite(arr) or arr < 0:
        raise ValueError(f"'{name}' must be non-negative and finite, got {value!r}.")
    return float(arr)


def unit_interval(value, name, closed_left=True):
    """Check ``0 <= value < 1`` (or ``0 < value < 1`` if not ``closed_left``)."""
    arr = _number(value, name, False)
    low_ok = arr >= 0 if closed_left else arr > 0
    if not (low_ok and arr < 1):
        bound = "[0, 1)" if closed_left else "(0, 1)"
        raise ValueError(f"'{name}' must lie in {bound}, got {value!r}.")
    return float(arr)


def count(value, name, minimum=1):
    """Check an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"'{name}' must be an int, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"'{name}' must be an int >= {minimum}, got {value}.")
    return int(value)


def callable_arg(value, name):
    if not callable(value):
        raise TypeError(
            f"'{name}' must be callable, got {type(value).__name__}; pass a function."
        )
    return value


def _number(value, name, allow_array):
    if isinstance(value, bool):
        raise TypeError(f"'{name}' must be a number, got bool {value!r}.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"'{name}' must be a number, got {type(value).__name__}.") from None
    if arr.ndim and not allow_array:
        raise TypeError(f"'{name}' must be a single number, got an array of shape {arr.shape}.")
    return arr
