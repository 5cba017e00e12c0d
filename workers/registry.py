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


# Workers besides a service's own (named after it): queues of long jobs that must not hold up
# its events (arq re-runs a killed worker's jobs only after its longest job's time limit).
EXTRA_WORKERS: dict[str, tuple[str, ...]] = {"confirmation": ("confirmation_send",)}


def workers_of(service: str) -> tuple[str, ...]:
    """The arq workers a service runs: its own (events and short jobs) and any extra ones."""
    return (service, *EXTRA_WORKERS.get(service, ()))


def worker_settings_factory(name: str) -> Callable[[], dict[str, Any]]:
    """``confirmation`` → services.confirmation.tasks.confirmation_worker_settings;
    ``confirmation_send`` → services.confirmation.tasks.confirmation_send_worker_settings."""
    service = name.partition("_")[0]
    module = __import__(f"services.{service}.tasks", fromlist=["x"])
    factory: Callable[[], dict[str, Any]] = getattr(module, f"{name}_worker_settings")
    return factory
