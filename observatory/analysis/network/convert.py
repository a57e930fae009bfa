"""JSON-safe conversion of network results: NaN and infinities become ``None`` with their reason."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_json_safe"]


def _is_undefined(value: Any) -> bool:
    return isinstance(value, float | np.floating) and not math.isfinite(float(value))


def to_json_safe(result: Any, *, reason: str = "undefined value (NaN or infinite)") -> Any:
    """Convert an analysis result into JSON-safe Python objects.

    DataFrames become ``{"columns": [...], "index": [...], "data": [[...], ...]}``, Series and mappings
    become dicts, NumPy scalars and arrays become Python numbers and lists. Every NaN or infinity becomes
    ``None``; when at least one was replaced, the top-level dict gains a key ``"undefined"`` with the
    ``reason`` and the number of replaced values, so a reader knows the gaps are not missing data.

    Parameters
    ----------
    result : DataFrame, Series, mapping, sequence, NumPy object or scalar
    reason : str
        Why values can be undefined in this result (shown to readers).

    Returns
    -------
    JSON-serialisable object (a dict for frames, series and mappings).

    Examples
    --------
    >>> to_json_safe({"z": float("nan"), "n": np.int64(3)}, reason="variance 0")
    {'z': None, 'n': 3, 'undefined': {'count': 1, 'reason': 'variance 0'}}
    """
    replaced = [0]

    def convert(value: Any) -> Any:
        if isinstance(value, pd.DataFrame):
            return {"columns": [convert(c) for c in value.columns], "index": [convert(i) for i in value.index],
                    "data": [[convert(v) for v in row] for row in value.itertuples(index=False, name=None)]}
        if isinstance(value, pd.Series):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, Mapping):
            return {str(k) if not isinstance(k, str | int) else k: convert(v) for k, v in value.items()}
        if isinstance(value, np.ndarray):
            return [convert(v) for v in value.tolist()]
        if isinstance(value, list | tuple | set | frozenset):
            return [convert(v) for v in value]
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            replaced[0] += 1
            return None
        return value

    out = convert(result)
    if replaced[0]:
        if not isinstance(out, dict):
            out = {"value": out}
        out["undefined"] = {"count": replaced[0], "reason": reason}
    return out
