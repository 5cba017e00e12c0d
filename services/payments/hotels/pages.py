"""Pages and API of payments' hotels (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
