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
- :mod:`smoothopt.analysis`: basins of attraction and critical points;
- :mod:`smoothopt.plotting` (needs matplotlib): landscapes, paths, animations.

>>> import numpy as np
>>> import smoothopt as so
>>> f = so.objectives.get("wavy_bowl")
>>> res = so.minimize(f, np.zeros((100, 2)) + [1.0, 1.5], so.optimizers.sgd(0.01), steps=500)
>>> res.path.shape
(501, 100, 2)
"""

from . import analysis, estimators, heuristics, objectives, optimizers, smoothing, variational
from .driver import Result, minimize

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
]
__version__ = "0.1.0"
from .solve import solve  # noqa: E402

__all__ += ["solve"]
