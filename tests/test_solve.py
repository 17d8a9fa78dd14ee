"""smoothopt.solve: the budget holds, seeds reproduce, bad input gets a clear error, it works."""

from __future__ import annotations

import numpy as np
import pytest

import smoothopt as so
from smoothopt import objectives
from smoothopt.solve import SolveResult


class Counting:
    """A batched objective that counts every point it is asked for."""

    def __init__(self, f):
        self.f, self.n, self.calls = f, 0, 0

    def __call__(self, x):
        x = np.asarray(x)
        self.n += x.shape[0]
        self.calls += 1
        return self.f(x)


@pytest.mark.parametrize("budget", [2, 7, 100, 1001])
@pytest.mark.parametrize("name", ["bowl", "quantized_wavy_bowl", "rastrigin"])
def test_budget_is_respected_and_counted(name, budget):
    f = objectives.get(name)
    g = Counting(f)
    res = so.solve(g, f.bounds, budget=budget, rng=3)
    assert g.n == int(res.nfev) <= budget
    assert res.best_so_far.shape == (g.n,)
    assert np.all(np.diff(res.best_so_far) <= 0)
    assert res.best_so_far[-1] == res.fun_best == res.fun
    assert float(f(res.x_best)) == pytest.approx(res.fun_best)


def test_restarts_spend_the_whole_budget():
    f = objectives.get("rastrigin", dim=2)
    res = so.solve(f, f.bounds, budget=3000, rng=0)
    assert int(res.nfev) == 3000
    assert res.restarts == len(res.populations) == len(res.stops) >= 2
    assert all(b >= a for a, b in zip(res.populations, res.populations[1:]))  # IPOP
    assert res.populations[1] == 2 * res.populations[0]


def test_points_stay_in_the_box():
    f = objectives.get("bowl")
    bounds = np.array([[1.0, 2.0], [-3.0, -2.5]])  # the minimizer (0, 0) is outside
    seen = []
    res = so.solve(lambda p: (seen.append(p.copy()), f(p))[1], bounds, budget=300, rng=1)
    pts = np.concatenate(seen)
    assert np.all(pts >= bounds[:, 0]) and np.all(pts <= bounds[:, 1])
    assert np.allclose(res.x_best, [1.0, -2.5], atol=1e-3)  # the box's nearest corner


def test_seeds_reproduce():
    f = objectives.get("ackley", dim=3)
    a = so.solve(f, f.bounds, budget=800, rng=5)
    b = so.solve(f, f.bounds, budget=800, rng=np.random.default_rng(5))
    c = so.solve(f, f.bounds, budget=800, rng=6)
    assert np.array_equal(a.best_so_far, b.best_so_far) and np.array_equal(a.x_best, b.x_best)
    assert not np.array_equal(a.best_so_far, c.best_so_far)


def test_result_is_a_result():
    f = objectives.get("wavy_bowl")
    res = so.solve(f, f.bounds, budget=500, rng=0)
    assert isinstance(res, SolveResult) and isinstance(res, so.Result)
    assert res.x.shape == (2,) and res.path.shape[-1] == 2
    assert bool(res.success) and "solve" in res.message


@pytest.mark.parametrize("name,dim,budget,tol", [("bowl", 5, 2000, 1e-6),
                                                  ("rosenbrock", 2, 3000, 1e-3),
                                                  ("wavy_bowl", None, 1500, 0.4)])  # 0.4: the gap
def test_finds_the_minimum(name, dim, budget, tol):
    f = objectives.get(name, dim=dim) if dim else objectives.get(name)
    hits = [so.solve(f, f.bounds, budget=budget, rng=s).fun_best - f.minimum < tol
            for s in range(10)]
    assert sum(hits) >= 9


def test_terraces_and_floors_do_no_harm():
    # An increasing transformation of f (here a floor, then a huge scale) changes nothing that
    # ranks see except ties: solve still reaches the top level.
    f = objectives.get("quantized_wavy_bowl")
    top = [so.solve(lambda p: 1e9 * f(p), f.bounds, budget=1000, rng=s).fun_best == -1e9
           for s in range(20)]
    assert sum(top) >= 16


def test_ablation_switches_run():
    f = objectives.get("rastrigin", dim=2)
    for opts in [dict(restarts=False), dict(grow=1.0), dict(ranks=False), dict(plateau=False),
                 dict(mirrored=False)]:
        res = so.solve(f, f.bounds, budget=400, rng=0, **opts)
        assert int(res.nfev) <= 400
    one = so.solve(f, f.bounds, budget=400, rng=0, restarts=False)
    assert one.restarts == 1


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(bounds=[[0, 1]]), ValueError, "bounds"),  # wrong number of rows for d = 2
    (dict(bounds=[0, 1]), ValueError, "bounds"),
    (dict(bounds=[[0, 1], [2, 1]]), ValueError, "bounds"),
    (dict(bounds=[[0, np.inf], [0, 1]]), ValueError, "bounds"),
    (dict(bounds="box"), (TypeError, ValueError), "bounds"),
    (dict(budget=1), ValueError, "budget"),
    (dict(budget=10.5), TypeError, "budget"),
    (dict(rng=None), TypeError, "rng"),
    (dict(rng="seed"), TypeError, "rng"),
    (dict(sigma0=-1.0), ValueError, "sigma0"),
    (dict(grow=0.5), ValueError, "grow"),
    (dict(popsize=1), ValueError, "popsize"),
])
def test_bad_input_names_the_argument(kwargs, exc, word):
    f = objectives.get("bowl")
    args = dict(bounds=f.bounds, budget=100, rng=0)
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        so.solve(f, args.pop("bounds"), **args)


def test_unbatched_function_gets_a_clear_error():
    with pytest.raises(TypeError, match="'f'"):
        so.solve(3.0, [[0, 1]], budget=10, rng=0)
    with pytest.raises(ValueError, match="batched"):
        so.solve(lambda p: float(np.sum(p**2)), [[0, 1], [0, 1]], budget=10, rng=0)
