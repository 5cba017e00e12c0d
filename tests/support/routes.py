"""Every route of an app, with the roles its ``require(...)`` admits, for role tests."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from shared.auth import RoleRequirement


def api_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through mounted apps and included routers."""
    for route in routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            yield from api_routes(route.app.routes, prefix + route.path)
        elif (included := getattr(route, "original_router", None)) is not None:
            # FastAPI wraps included routers; their own prefix sits in the include context.
            extra = getattr(route.include_context, "prefix", "") or ""  # type: ignore[attr-defined]
            yield from api_routes(included.routes, prefix + extra)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def roles_of(route: APIRoute) -> frozenset[str] | None:
    """The roles the route's ``require(...)`` admits, found anywhere in its dependencies."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, RoleRequirement):
            return dependency.call.roles
        stack.extend(dependency.dependencies)
    return None
