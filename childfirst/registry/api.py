"""/api/children…: the registry's JSON API, under exactly the same access rules as its pages."""

from ninja import Router

router = Router(tags=["children"])
