"""The all-in-one web app: the gateway at ``/`` and every service mounted under its path.

``uvicorn workers.web:app``. Starlette does not run a mounted app's lifespan, so this app's
lifespan enters each one's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from workers.registry import MOUNTS, service_app


def build_app() -> FastAPI:
    gateway = service_app("gateway")
    mounted = {path: service_app(name) for name, path in MOUNTS.items()}
    original_lifespan = gateway.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(original_lifespan(app))
            for sub_app in mounted.values():
                await stack.enter_async_context(sub_app.router.lifespan_context(sub_app))
            yield

    gateway.router.lifespan_context = lifespan
    # Each app's /admin/events lists every service's page; only this process knows the mounts.
    event_pages = {"gateway": "", **MOUNTS}
    gateway.state.event_pages = event_pages
    for path, sub_app in mounted.items():
        sub_app.state.event_pages = event_pages
        gateway.mount(path, sub_app)
    return gateway


app = build_app()
