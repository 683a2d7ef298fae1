"""Kept for apps.py, which loads the categories after migrate from this path (apps.py changes in
another branch); the categories live with the child files, in children/categories.py."""

from .children.categories import load_categories  # noqa: F401
