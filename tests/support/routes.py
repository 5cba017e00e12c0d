"""Every route of an app, with the roles its ``require(...)`` admits, for role tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import asyncpg
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from shared.auth import RoleRequirement
from tests.support.infra import INFRA

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAM = re.compile(r"\{[^}]+\}")


def api_routes(
    routes: list[BaseRoute], prefix: str = "", *, into_mounts: bool = True
) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers and (unless
    ``into_mounts`` is off) the apps mounted inside: the all-in-one app's services."""
    for route in routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            if into_mounts:
                yield from api_routes(route.app.routes, prefix + route.path)
        elif (included := getattr(route, "original_router", None)) is not None:
            # FastAPI wraps included routers; their own prefix sits in the include context.
            extra = getattr(route.include_context, "prefix", "") or ""  # type: ignore[attr-defined]
            yield from api_routes(included.routes, prefix + extra, into_mounts=into_mounts)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def route_keys(app: FastAPI) -> dict[str, APIRoute]:
    """``"METHOD /path"`` → route, for the app's own routes (not those of apps mounted in it,
    as the gateway has in the all-in-one process): the keys of ``shared.access`` tables."""
    return {
        f"{method} {path}": route
        for path, route in api_routes(app.routes, into_mounts=False)
        for method in sorted((route.methods or set()) - {"HEAD"})
    }


def roles_of(route: APIRoute) -> frozenset[str] | None:
    """The roles the route's ``require(...)`` admits, found anywhere in its dependencies
    (with more than one requirement, a caller must meet each: the roles all of them admit).
    None when the route requires no role."""
    found: list[frozenset[str]] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, RoleRequirement):
            found.append(dependency.call.roles)
        stack.extend(dependency.dependencies)
    if not found:
        return None
    return frozenset.intersection(*found)


def concrete_path(path: str) -> str:
    """The path with every ``{param}`` a fresh UUID: well-formed for UUID ids, refused (422)
    for integer ones, and never an existing record, so no call changes anything."""
    return _PARAM.sub(lambda _: str(uuid.uuid4()), path)


async def row_counts() -> dict[str, int]:
    """Rows in every table of every service's schema, in one query: taken before and after
    calls that must change nothing."""
    from migrations import SERVICES

    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        tables = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])"
            " ORDER BY 1, 2",
            list(SERVICES),
        )
        names = [f'"{row["schemaname"]}"."{row["tablename"]}"' for row in tables]
        query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM {name}" for name in names)
        return {name: count for name, count in await conn.fetch(query)} if names else {}
    finally:
        await conn.close()
