"""Health, readiness and metrics answer on every service, mounted or alone."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from workers.registry import MOUNTS, service_app

PREFIXES = ["", *MOUNTS.values()]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_health_readiness_and_metrics_answer_on_every_mount(http, prefix: str) -> None:
    client = await http()
    health = await client.get(f"{prefix}/healthz")
    ready = await client.get(f"{prefix}/readyz")
    metrics = await client.get(f"{prefix}/metrics")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["postgresql"] == "ok" and ready.json()["redis"] == "ok"
    assert metrics.status_code == 200 and "roomline_http_requests_total" in metrics.text


@pytest.mark.parametrize("name", ["gateway", *MOUNTS])
async def test_each_service_runs_alone(name: str) -> None:
    app = service_app(name)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://alone") as client:
            assert (await client.get("/readyz")).json()["service"] == name
            home = await client.get("/", headers={"accept": "text/html"})
            assert home.status_code == 303 and "/login" in home.headers["location"]
