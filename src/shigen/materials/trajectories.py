"""Year → value trajectories of a study, put on the model's annual grid."""

from __future__ import annotations

import numpy as np


def interpolate(points: dict[int, float], years: np.ndarray, *, hold: bool) -> np.ndarray:
    """Linear interpolation between the given years.

    ``hold=True`` keeps the first/last value outside the given range (rates);
    ``hold=False`` requires the points to cover ``years`` (deployment) and raises
    ``ValueError`` naming the gap otherwise.
    """
    xs = np.array(sorted(points), dtype=float)
    ys = np.array([points[int(x)] for x in xs], dtype=float)
    if not hold and (xs[0] > years[0] or xs[-1] < years[-1]):
        raise ValueError(f"the trajectory covers {int(xs[0])}-{int(xs[-1])} but the model "
                         f"runs {int(years[0])}-{int(years[-1])}")
    return np.interp(years.astype(float), xs, ys)
