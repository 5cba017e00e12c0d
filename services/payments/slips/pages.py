"""Pages and API of payments' slips (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
