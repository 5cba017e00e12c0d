"""Archive and search of everything sent and received (CF-4)."""

from fastapi import APIRouter

router = APIRouter()
