"""Sending order sheets and customer confirmations (CF-1, CF-6)."""

from fastapi import APIRouter

router = APIRouter()
