"""Signals the plan catalogue sends, so that higher layers can react without plans importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the loading transaction once a plan file has been written, with `plan`, `actor`
# (a user or None for the system), `area_code` and `detail` (identifiers and counts). The audit
# log (accounts) receives it, so the audit row commits or rolls back with the load.
plan_loaded = Signal()

# Sent inside the transaction that loads a revisions file (plans/revisions.py), with `plan`,
# `actor`, `area_code` and `detail`; accounts writes the audit row as for plan_loaded.
targets_revised = Signal()
