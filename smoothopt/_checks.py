"""Input checks shared by the public functions.

Every public function validates its arguments here and raises ``ValueError``
or ``TypeError`` naming the argument, what was given and what to do instead.
"""

from __future__ import annotations

import math
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
    "boolean",
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
    if isinstance(x, (str, bytes)) or np.asarray(x).dtype.kind in "USOc" and not _numeric_objects(x):
        raise TypeError(
            f"'{name}' must be an array of numbers of shape (..., d), got "
            f"{type(x).__name__} {_short(x)}."
        )
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


def _short(x):
    text = repr(x)
    return text if len(text) < 60 else text[:57] + "..."


def _numeric_objects(x):
    """An object array (e.g. of Python ints mixed with floats) that is still numbers."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        return False
    if a.dtype.kind != "O":
        return False
    try:
        return all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                   for v in a.ravel())
    except TypeError:
        return False


def boolean(value, name):
    """Check a real bool (``"no"`` or ``0.5`` is not one)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}' must be True or False, got {type(value).__name__} {value!r}.")
    return bool(value)


def _number(value, name, allow_array):
    if isinstance(value, bool):
        raise TypeError(f"'{name}' must be a number, got bool {value!r}.")
    if isinstance(value, (str, bytes)) or np.asarray(value).dtype.kind in "USc":
        raise TypeError(f"'{name}' must be a number, got {type(value).__name__} {_short(value)}.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"'{name}' must be a number, got {type(value).__name__}.") from None
    if arr.ndim and not allow_array:
        raise TypeError(f"'{name}' must be a single number, got an array of shape {arr.shape}.")
    return arr


# -- what user callables return ------------------------------------------------------
# Every value, gradient, neighbourhood and schedule a user hands to the library is
# called through one of these, so a wrong shape or type is reported in one place,
# naming the callable, the shape it returned and the shape expected.

_POINTWISE_HINT = (
    "If {name} takes a single point of shape (d,) (scipy style), make it batched with "
    "smoothopt.objectives.pointwise({name}) (or np.vectorize({name}, signature='(d)->()'))."
)


def describe(fn, name):
    """``'f' (my_function)``: the argument and the callable's own name."""
    own = getattr(fn, "__name__", None) or getattr(fn, "__qualname__", None)
    if own is None:
        own = type(fn).__name__
    return f"'{name}' ({own})"


def _as_result_array(out, who, pts_shape, what):
    if out is None:
        raise TypeError(
            f"{who} returned None for points of shape {pts_shape}; it must return {what}."
        )
    arr = np.asarray(out) if not isinstance(out, np.ndarray) else out
    if arr.dtype.kind == "c":
        raise TypeError(f"{who} returned complex numbers; it must return {what} (real numbers).")
    if arr.dtype.kind not in "fiub":
        try:
            arr = np.asarray(arr, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{who} returned {type(out).__name__} for points of shape {pts_shape}, not an "
                f"array of numbers; it must return {what}."
            ) from None
    elif arr.dtype != np.float64:
        arr = arr.astype(float)
    return arr


class CheckedValues:
    """``f`` as the library calls it: each call checks the returned shape is ``(...)``.

    Until ``f`` has been seen to work on a batch it also catches the most common
    mistake, an ``f`` written for one point: if ``f`` fails on a batch but works on one point, or if the shapes are
    ambiguous (a batch of ``d`` points of dimension ``d``) and ``f`` does not return
    one value for a batch of one point, the error says so.
    """

    __slots__ = ("f", "name", "first")

    def __init__(self, f, name="f"):
        self.f = f.f if isinstance(f, CheckedValues) else f
        self.name = name
        self.first = True

    def __call__(self, pts):
        try:
            out = self.f(pts)
        except Exception as exc:
            if self.first and np.ndim(pts) >= 2:
                self._one_point_works(pts, exc, describe(self.f, self.name))
            raise
        want = pts.shape[:-1]
        if type(out) is np.ndarray and out.dtype == np.float64 and out.shape == want:
            arr = out  # the common case, checked in three comparisons
            if not self.first:
                return arr
        who = describe(self.f, self.name)
        arr = _as_result_array(out, who, np.shape(pts), "one value per point, shape (...)")
        if arr.shape != want:
            raise ValueError(
                f"{who} returned shape {arr.shape} for points of shape {pts.shape}; it must map "
                f"points (..., d) to values (...), here shape {want}. "
                + _POINTWISE_HINT.format(name=self.name)
            )
        if self.first and pts.ndim >= 2 and pts.size:
            # A call on one point proves nothing; the first real batch settles it.
            if pts.shape[-2] == pts.shape[-1]:
                self._probe(pts, who)
            self.first = False
        return arr

    def _one_point_works(self, pts, exc, who):
        try:
            one = self.f(np.reshape(pts, (-1, pts.shape[-1]))[0])
            ok = np.ndim(one) == 0
        except Exception:
            ok = False
        if ok:
            raise ValueError(
                f"{who} fails on a batch of points of shape {pts.shape} ({type(exc).__name__}: "
                f"{exc}) but works on one point: it must map points (..., d) to values (...). "
                + _POINTWISE_HINT.format(name=self.name)
            ) from exc

    def _probe(self, pts, who):
        # d points of dimension d: a one-point f indexing x[i] returns the right shape
        # by coincidence. A batch of one point tells the two kinds apart.
        one = np.reshape(pts, (-1, pts.shape[-1]))[:1]
        try:
            out = np.shape(self.f(one))
        except Exception as exc:
            raise ValueError(
                f"{who} fails on a batch of one point, shape {one.shape} ({type(exc).__name__}: "
                f"{exc}); it must map points (..., d) to values (...). "
                + _POINTWISE_HINT.format(name=self.name)
            ) from exc
        if out != (1,):
            raise ValueError(
                f"{who} returned shape {out} for a batch of one point, shape {one.shape}; it must "
                "map points (..., d) to values (...), here shape (1,). "
                + _POINTWISE_HINT.format(name=self.name)
            )


def checked_values(f, name="f"):
    """Wrap ``f`` (once) so that its values are checked; see :class:`CheckedValues`."""
    if isinstance(f, CheckedValues):
        return f
    return CheckedValues(f, name)


def check_grad_output(g, x, fn, name="grad"):
    """``g`` (what ``fn`` returned at ``x``) as a float array of shape ``x.shape``."""
    who = describe(fn, name)
    arr = _as_result_array(g, who, x.shape, "one gradient per point, shape (..., d)")
    if arr.shape != x.shape:
        raise ValueError(
            f"{who} returned shape {arr.shape} for points of shape {x.shape}; it must return one "
            f"gradient per point, shape (..., d), here {x.shape}. "
            + f"If {name} takes a single point of shape (d,), make it batched with "
            f"np.vectorize({name}, signature='(d)->(d)')."
        )
    return arr


def schedule_value(fn, t, name, allow_zero=True):
    """Value of the schedule ``fn`` at step ``t``: a finite number, positive (or zero)."""
    try:
        v = fn(t)
    except Exception as exc:
        raise type(exc)(
            f"{describe(fn, name)}, a schedule t -> value, failed at step t = {t}: {exc}"
        ) from exc
    if type(v) is float and v >= 0 and v != math.inf:  # the common case (NaN fails v >= 0)
        if v > 0 or allow_zero:
            return v
    who = describe(fn, name)
    if isinstance(v, (bool, str, bytes)) or v is None:
        raise TypeError(f"{who}, a schedule, returned {v!r} at step t = {t}; it must return a number.")
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{who}, a schedule, returned {type(v).__name__} at step t = {t}; it must return a number."
        ) from None
    if arr.ndim:
        raise TypeError(
            f"{who}, a schedule, returned an array of shape {arr.shape} at step t = {t}; "
            "it must return a single number."
        )
    value = float(arr)
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        need = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"{who}, a schedule, returned {value!r} at step t = {t}; it must return a {need} "
            "finite number."
        )
    return value
