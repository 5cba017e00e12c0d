"""Every service's app and worker settings, for the entry points to compose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from migrations import SERVICES

# Where the all-in-one process mounts each service (the gateway sits at the root).
MOUNTS: dict[str, str] = {
    "contracts": "/contracts",
    "intake": "/intake",
    "confirmation": "/confirmation",
    "noshow": "/noshow",
    "payments": "/payments",
    "members": "/members",
    "metrics": "/sla",
}
EVENT_SCHEMAS = SERVICES


def service_app(name: str) -> FastAPI:
    module = __import__(f"services.{name}.app", fromlist=["app"])
    app: FastAPI = module.app
    return app


def worker_settings_factory(name: str) -> Callable[[], dict[str, Any]]:
    module = __import__(f"services.{name}.tasks", fromlist=["x"])
    factory: Callable[[], dict[str, Any]] = getattr(module, f"{name}_worker_settings")
    return factory
