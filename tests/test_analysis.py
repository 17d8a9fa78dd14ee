"""Basins of attraction and the classification of critical points."""

from __future__ import annotations

import numpy as np
import pytest

from smoothopt import analysis, minimize, objectives, optimizers


@pytest.fixture(scope="module")
def wavy_descent():
    """Gradient descent from a 30 x 30 grid over wavy_bowl's window, run to convergence.

    lr = 0.01 is below 2 / L (the Hessian's largest eigenvalue is < 2 + 31.25 + 80 here),
    and 3000 steps drive |grad| below 1e-10 from every start.
    """
    f = objectives.get("wavy_bowl")
    axes = [np.linspace(lo, hi, 30) for lo, hi in f.bounds]
    x0 = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
    res = minimize(f, x0, optimizers.sgd(0.01), steps=3000)
    assert np.all(res.success)
    assert np.abs(f.grad(res.x)).max() < 1e-10
    return f, res


def test_basins_groups_the_minima_gradient_descent_finds(wavy_descent):
    f, res = wavy_descent
    found = analysis.basins(res.x, f, tol=1e-3)
    # A finer, independent check: converged end points agree to ~1e-12, so exact
    # single linkage at 1e-6 (all pairwise distances) gives the distinct minima.
    d = np.linalg.norm(res.x[:, None] - res.x[None], axis=-1)
    same = d < 1e-6
    np.testing.assert_array_equal(same, found.labels[:, None] == found.labels[None])
    distinct = len(np.unique(np.round(res.x, 6), axis=0))
    assert len(found.counts) == distinct > 5  # wavy_bowl has many local minima in its window
    assert found.counts.sum() == len(res.x)
    # Each group's point is where its members ended, and it is a minimum.
    np.testing.assert_allclose(found.points[found.labels], res.x, atol=1e-9)
    kinds = analysis.classify_critical_points(f, found.points).kind
    assert np.all(kinds == "minimum")
    # Sorted by value, with the known global minimizer first.
    assert np.all(np.diff(found.values) >= 0)
    np.testing.assert_allclose(found.points[0], f.minimizers[0], atol=1e-9)
    np.testing.assert_allclose(found.values, f(found.points))


def test_basins_labels_non_finite_end_points_minus_one():
    x = np.array([[0.0, 0.0], [np.nan, 1.0], [5.0, 5.0], [np.inf, 0.0], [1e-5, 0.0]])
    m = analysis.basins(x, tol=1e-3)
    assert m.labels.tolist() == [0, -1, 1, -1, 0]
    assert m.counts.tolist() == [2, 1]
    all_bad = analysis.basins(np.full((3, 2), np.nan))
    assert all_bad.labels.tolist() == [-1, -1, -1] and len(all_bad.counts) == 0


def test_basins_keeps_batch_shape():
    x = np.zeros((3, 4, 2))
    x[1] += 1.0
    m = analysis.basins(x, tol=1e-2)
    assert m.labels.shape == (3, 4)
    assert np.all(m.labels[1] != m.labels[0]) and np.all(m.labels[0] == m.labels[2])


def test_basins_joins_points_within_tol_and_separates_distant_ones(rng):
    tol = 1e-2
    centres = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [0.1, 0.1]])  # 10 tol apart
    # 50 points around each centre, all within tol / 3 of it: every pair within a
    # group is closer than tol, every pair across groups is more than 9 tol apart.
    offsets = rng.uniform(-1, 1, (4, 50, 2)) * tol / (3 * np.sqrt(2))
    pts = (centres[:, None] + offsets).reshape(-1, 2)
    m = analysis.basins(pts, tol=tol)
    assert len(m.counts) == 4 and np.all(m.counts == 50)
    labels = m.labels.reshape(4, 50)
    assert np.all(labels == labels[:, :1]) and len(set(labels[:, 0])) == 4
    # A chain of points each 0.8 tol from the next is one basin, though its ends are far apart.
    chain = np.stack([np.arange(20) * 0.8 * tol, np.zeros(20)], axis=-1)
    assert len(analysis.basins(chain, tol=tol).counts) == 1


def _quadratic_objective(name, sign_x, sign_y):
    return objectives.Objective(
        name, 2, lambda p: sign_x * p[..., 0] ** 2 + sign_y * p[..., 1] ** 2,
        grad=lambda p: np.stack([2 * sign_x * p[..., 0], 2 * sign_y * p[..., 1]], axis=-1),
        bounds=[[-1, 1], [-1, 1]], formula="")


@pytest.mark.parametrize("with_grad", [True, False], ids=["analytic grad", "values only"])
def test_classify_critical_points(with_grad):
    cases = {
        "minimum": _quadratic_objective("bowl", 1, 1),
        "maximum": _quadratic_objective("-bowl", -1, -1),
        "saddle": _quadratic_objective("x^2 - y^2", 1, -1),
        "degenerate": objectives.get("monkey_saddle"),
    }
    for kind, f in cases.items():
        target = f if with_grad else (lambda p, f=f: f(p))  # a plain callable has no grad
        c = analysis.classify_critical_points(target, [0.0, 0.0])
        assert c.kind == kind, f"{f.name}: {c.kind}"
        assert c.gradient_norm < 1e-6
    # Eigenvalues ascending: the saddle's are -2 and 2 (Hessian diag(2, -2)).
    c = analysis.classify_critical_points(cases["saddle"], [0.0, 0.0])
    np.testing.assert_allclose(c.eigenvalues, [-2.0, 2.0], atol=1e-6)


def test_classify_gallery_points_in_a_batch():
    f = objectives.get("bowl")
    c = analysis.classify_critical_points(f, np.zeros((2, 3, 2)))
    assert c.kind.shape == (2, 3) and np.all(c.kind == "minimum")
    np.testing.assert_allclose(c.eigenvalues, 2.0, atol=1e-6)
    # Rosenbrock's minimum: Hessian [[802, -400], [-400, 200]], both eigenvalues positive.
    r = analysis.classify_critical_points(objectives.get("rosenbrock"), [1.0, 1.0])
    assert r.kind == "minimum"
    np.testing.assert_allclose(r.eigenvalues, np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]]),
                               rtol=1e-6)
