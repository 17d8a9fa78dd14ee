"""smoothopt: optimizing bad objective functions, in numpy.

The library behind the book *Optimizing Bad Objective Functions*:

- :mod:`smoothopt.objectives`: the gallery of bad objectives, with gradients
  and exact Gaussian smoothing where a closed form exists;
- :mod:`smoothopt.smoothing`: Monte Carlo and Gauss-Hermite estimates of the
  smoothed objective for any callable;
- :mod:`smoothopt.estimators`: finite differences and the three estimators of
  the smoothed gradient;
- :mod:`smoothopt.optimizers`: update rules as ``init``/``update`` pairs;
- :func:`smoothopt.minimize`: the one loop, batched over any number of starts;
- :mod:`smoothopt.heuristics`: random search, hill climbing, simulated annealing
  (also as ask/tell objects) and restarts;
- :mod:`smoothopt.variational`: variational optimization and NES (also ask/tell);
- :mod:`smoothopt.analysis`: basins of attraction and critical points;
- :mod:`smoothopt.mlp`: a small multilayer perceptron as an objective;
- :mod:`smoothopt.testing`: checkers for a learner's own gradients, estimators and update rules;
- :mod:`smoothopt.plotting` (needs matplotlib, imported on first use): landscapes,
  paths, animations.

>>> import numpy as np
>>> import smoothopt as so
>>> f = so.objectives.get("wavy_bowl")
>>> res = so.minimize(f, np.zeros((100, 2)) + [1.0, 1.5], so.optimizers.sgd(0.01), steps=500)
>>> res.path.shape
(501, 100, 2)
"""

from . import analysis, estimators, heuristics, objectives, optimizers, smoothing, variational
from .driver import Result, minimize
from . import mlp, testing
from .driver import MinimizeState, Progress
from .solve import solve

__all__ = [
    "analysis",
    "estimators",
    "heuristics",
    "objectives",
    "optimizers",
    "smoothing",
    "variational",
    "minimize",
    "Result",
    "mlp",
    "plotting",
    "testing",
    "MinimizeState",
    "Progress",
    "solve",
]
__version__ = "0.1.0"


def __getattr__(name):
    # plotting needs matplotlib, an optional dependency: import it on first use, so that
    # `import smoothopt` stays fast and works without it, and `smoothopt.plotting` still works.
    if name == "plotting":
        import importlib

        return importlib.import_module(".plotting", __name__)
    raise AttributeError(f"module 'smoothopt' has no attribute {name!r}")
