"""Type aliases for the public signatures (the package ships ``py.typed``)."""

from __future__ import annotations

from typing import Any, Callable, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Array", "ArrayLike", "Seed", "Fn", "Schedule"]

#: What the library returns: float arrays.
Array = NDArray[np.float64]
#: A random generator or an int seed.
Seed = Union[np.random.Generator, int]
#: A user callable (objective, gradient, neighbourhood, callback).
Fn = Callable[..., Any]
#: A number, or a schedule ``t -> value``.
Schedule = Union[float, Callable[[int], float]]
