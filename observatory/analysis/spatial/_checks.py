"""Checks of the inputs shared by the spatial statistics: points, rectangular windows, radii.

Each raises ``ValueError`` with what was passed and what to pass instead.
"""

from __future__ import annotations

import numpy as np


def _points(xy, *, minimum: int = 2, what: str = "xy") -> np.ndarray:
    arr = np.asarray(xy, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{what} has shape {arr.shape}; pass an (n, 2) array of coordinates")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or infinite coordinates; drop unlocated points first")
    if arr.shape[0] < minimum:
        raise ValueError(f"{what} has {arr.shape[0]} point(s); this statistic needs at least {minimum}")
    return arr


def _window(window) -> tuple[float, float, float, float]:
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in window)
    except (TypeError, ValueError):
        raise ValueError(f"window={window!r}: pass a rectangle (xmin, xmax, ymin, ymax)") from None
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"window={window!r} is empty: need xmin < xmax and ymin < ymax")
    return xmin, xmax, ymin, ymax


def _inside(xy: np.ndarray, win: tuple[float, float, float, float]) -> None:
    xmin, xmax, ymin, ymax = win
    outside = ((xy[:, 0] < xmin) | (xy[:, 0] > xmax) | (xy[:, 1] < ymin) | (xy[:, 1] > ymax)).sum()
    if outside:
        raise ValueError(f"{outside} point(s) lie outside the window {win}; use a window that contains the "
                         "whole study area (and the same projection as the points)")


def _radii(r) -> np.ndarray:
    radii = np.atleast_1d(np.asarray(r, dtype=float))
    if radii.ndim != 1 or (radii < 0).any() or not np.isfinite(radii).all():
        raise ValueError("r must be a sequence of finite distances ≥ 0 (e.g. np.linspace(0, rmax, 50))")
    return radii
