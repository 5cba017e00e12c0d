"""Pages and API of payments' settlement (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
