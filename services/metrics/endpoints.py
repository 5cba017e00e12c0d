"""The metrics desk's other pages and API (the dashboard lives in dashboard_endpoints)."""

from fastapi import APIRouter

router = APIRouter()
