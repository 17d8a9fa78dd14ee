"""A learner's own script: it must pass `mypy --strict` against smoothopt's type hints."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import smoothopt as so
from smoothopt import estimators, heuristics, objectives, optimizers, variational


def my_loss(point: NDArray[np.float64]) -> float:
    return float((point[0] - 1.0) ** 2 + 10.0 * np.sin(point[1]) ** 2)


f = objectives.pointwise(my_loss)
wavy: objectives.Objective = objectives.get("wavy_bowl")
grad = estimators.oracle(wavy, "score_function", sigma=0.3, n=20)
res: so.Result = so.minimize(wavy, np.zeros((100, 2)), optimizers.adam(0.05), steps=50,
                             grad=grad, rng=0, record="last")
more = so.minimize(wavy, res.x, optimizers.adam(0.05), steps=50, grad=grad, state=res.state)
share: float = float(np.mean(more.fun < -1.0))

sa = heuristics.simulated_annealing(f, np.zeros((10, 2)), steps=100, step_size=0.5,
                                    temperature=heuristics.geometric_cooling(1.0, 0.97), rng=1)
assert sa.x_best is not None  # the heuristics track their best point
best = sa.x_best

es = variational.NES([3.0, 3.0], n=10, rng=0, covariance="diagonal")
for _ in range(20):
    pts = es.ask()
    es.tell(pts, [my_loss(p) for p in pts])
mean: NDArray[np.float64] = es.mean
g = estimators.finite_difference(f, [1.0, 2.0])
print(share, best.shape, mean, g, so.mlp.MLP)
