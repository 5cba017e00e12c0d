"""The desk's work on one task: claim, verify, receipt check, the hotel's answer (CF-1 … CF-7)."""

from fastapi import APIRouter

router = APIRouter()
