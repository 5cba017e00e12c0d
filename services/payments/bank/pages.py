"""Pages and API of payments' bank (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
