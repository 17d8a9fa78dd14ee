"""Shared fixtures and helpers for the library tests.

Every random test draws from its own seeded generator, so the suite is
deterministic; tolerances are still derived from standard errors so that a
different seed would pass with overwhelming probability.
"""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import objectives

#: The scalable objectives and the extra dimensions they are tested at.
SCALABLE = {"bowl": (1, 3, 10), "rastrigin": (1, 3, 10), "ackley": (1, 3, 10), "rosenbrock": (3, 10)}


def gallery_cases():
    """``(name, dim)`` for every gallery objective, plus the scalable ones at other ``d``."""
    cases = [(name, None) for name in objectives.names()]
    for name, dims in SCALABLE.items():
        cases += [(name, d) for d in dims]
    return cases


def case_id(case):
    name, dim = case
    return name if dim is None else f"{name}-d{dim}"


def build(case):
    name, dim = case
    return objectives.get(name) if dim is None else objectives.get(name, dim=dim)


def inside(f, rng, n):
    """``n`` uniform points inside the objective's plotting window."""
    lo, hi = f.bounds[:, 0], f.bounds[:, 1]
    return lo + (hi - lo) * rng.random((n, f.dim))


def mean_and_stderr(samples, axis=0):
    """Sample mean and its standard error ``sd / sqrt(N)`` over ``axis``."""
    samples = np.asarray(samples, dtype=float)
    n = samples.shape[axis]
    return samples.mean(axis=axis), samples.std(axis=axis, ddof=1) / np.sqrt(n)


def variance_and_stderr(samples):
    """Sample variance of 1-D ``samples`` and the standard error of that variance.

    For ``N`` i.i.d. draws, ``Var(s^2) ~ (m4 - s^4) / N`` with ``m4`` the fourth
    central moment, so the standard error is ``sqrt((m4 - s^4) / N)``.
    """
    samples = np.asarray(samples, dtype=float).ravel()
    c = samples - samples.mean()
    s2 = np.mean(c**2)
    m4 = np.mean(c**4)
    return s2, np.sqrt(max(m4 - s2**2, 0.0) / samples.size)


@pytest.fixture
def rng(request):
    """A generator seeded per test (from the test's name), independent across tests."""
    seed = sum(map(ord, request.node.name)) * 7919
    return np.random.default_rng(seed)
