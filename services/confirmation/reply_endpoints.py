"""Hotels' replies and the unmatched tray (CF-4)."""

from fastapi import APIRouter

router = APIRouter()
