"""Counts for the monitoring data: children by category and street, and the indicators they feed
(data/aggregates.yaml). The registry registers `prefills` as collection's prefill source at start-up
(apps.py); only codes and numbers leave this package."""

from .counts import (
    AGGREGATES,
    SOURCE,
    check_mapping,
    children_by_category,
    count_children,
    prefills,
    read_mapping,
    reading_day,
    recounted_by_category,
    recounted_children,
)

__all__ = [
    "AGGREGATES",
    "SOURCE",
    "check_mapping",
    "children_by_category",
    "count_children",
    "prefills",
    "read_mapping",
    "reading_day",
    "recounted_by_category",
    "recounted_children",
]
