"""The noshow desk's pages and API: the desk's own routes (``desk.pages``); the night audit
and the reports are routers of their own packages (``app.py``)."""

from fastapi import APIRouter

from services.noshow.desk import pages as desk_pages

router = APIRouter()
router.include_router(desk_pages.router)
