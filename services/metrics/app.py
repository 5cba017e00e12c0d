"""The metrics app: ``uvicorn services.metrics.app:app``."""

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import (
    dashboard_endpoints,
    desk_sla,
    desk_sla_endpoints,
    endpoints,
    exporter,
    webhook,
)
from services.metrics.agents import pages as agent_pages
from services.metrics.settings import MetricsSettings
from services.metrics.staffing import pages as staffing_pages
from shared.web import create_service_app


async def refresh_metrics(session: AsyncSession) -> None:
    """/metrics reads call figures and desk breaches from the database when scraped."""
    await exporter.refresh(session)
    await desk_sla.refresh(session)


app = create_service_app(
    service="metrics",
    title="Service levels",
    settings=MetricsSettings(),
    routers=[
        dashboard_endpoints.router,
        desk_sla_endpoints.router,
        endpoints.router,
        webhook.router,
        agent_pages.router,
        staffing_pages.router,
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
    metrics_refresh=refresh_metrics,
)
