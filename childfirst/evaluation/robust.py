"""Robust centre and spread (median and median absolute deviation) for the early-warning rules.

The mean and standard deviation are pulled by the very outliers the warnings look for; the median
and the MAD are not (breakdown point 50%). Constants: 1.4826 × MAD and 1.2533 × mean absolute
deviation estimate the standard deviation of normally distributed data, so thresholds read as
"k standard deviations" (Iglewicz & Hoaglin 1993; Leys et al. 2013).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAD_TO_SD = 1.4826
MEAN_AD_TO_SD = 1.2533


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Spread:
    """Centre (median), robust standard deviation and how many figures they rest on."""

    center: float
    scale: float  # 0 when every figure is the same
    count: int


def spread_of(values: Iterable[float]) -> Spread:
    """Median and 1.4826 × MAD; when more than half the figures are equal (MAD 0), 1.2533 × the mean
    absolute deviation from the median instead, which is 0 only when all are equal."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return Spread(0.0, 0.0, 0)
    center = median(finite)
    deviations = [abs(v - center) for v in finite]
    scale = MAD_TO_SD * median(deviations)
    if scale == 0:
        scale = MEAN_AD_TO_SD * sum(deviations) / len(deviations)
    return Spread(center, scale, len(finite))


class Changes(tuple):
    """Year-on-year changes with their spread computed once.

    Pass one of these as `history_changes` when the same history serves many evaluations (every
    street of an indicator): the median and MAD are then not recomputed per call.
    """

    spread: Spread

    def __new__(cls, values: Iterable[float]) -> Changes:
        self = super().__new__(cls, (float(v) for v in values))
        self.spread = spread_of(self)
        return self
