"""Tests of the estimator helpers added for the smoothing chapters."""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import estimators, minimize, objectives, optimizers


def test_geometric_schedule_endpoints_and_monotone():
    s = estimators.geometric_schedule(0.5, 0.2, 30)
    vals = np.array([s(t) for t in range(40)])
    assert vals[0] == pytest.approx(0.5)
    assert vals[29] == pytest.approx(0.2)
    assert np.all(vals[30:] == pytest.approx(0.2))
    assert np.all(np.diff(vals[:30]) < 0)
    # constant ratio between consecutive steps
    r = vals[1:30] / vals[:29]
    assert np.allclose(r, r[0])


def test_geometric_schedule_array_and_single_step():
    s = estimators.geometric_schedule(2.0, 1.0, 3)
    assert np.allclose(s(np.arange(3)), [2.0, 2.0**0.5, 1.0])
    assert estimators.geometric_schedule(0.3, 0.1, 1)(5) == pytest.approx(0.3)


@pytest.mark.parametrize("bad", [dict(start=0.0), dict(stop=-1.0), dict(steps=0)])
def test_geometric_schedule_rejects_bad_input(bad):
    args = dict(start=0.5, stop=0.2, steps=30) | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        estimators.geometric_schedule(**args)


def test_geometric_schedule_rejects_negative_step():
    with pytest.raises(ValueError, match="'t'"):
        estimators.geometric_schedule(0.5, 0.2, 30)(-1)


def test_schedule_drives_oracle_and_optimizer():
    f = objectives.get("bowl")
    s = estimators.geometric_schedule(0.5, 0.1, 10)
    g = estimators.oracle(f, "score_function", sigma=s, n=20, antithetic=True)
    res = minimize(f, np.ones((50, 2)), optimizers.sgd(lambda t: 0.2 * (s(t) / 0.5) ** 2),
                   steps=10, grad=g, rng=0)
    assert res.path.shape == (11, 50, 2)
    assert np.all(res.success)
    assert np.mean(res.fun) < 2.0  # moved downhill from f = 2
