"""The demonstration: every synthetic-data generator and its data files. Nothing in the product imports it."""
