"""Pages and API of payments' reports (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
