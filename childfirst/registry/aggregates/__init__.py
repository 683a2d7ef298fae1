"""Counts for the monitoring data (prefill source): collection finds `prefills` by the dotted path
"childfirst.registry.aggregates.prefills", so this package keeps exporting it."""

from .counts import (  # noqa: F401
    AGGREGATES,
    check_mapping,
    children_by_category,
    count_children,
    prefills,
    read_mapping,
    reading_day,
)
