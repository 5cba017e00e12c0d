"""Order sheet and customer letter PDFs: preview and download (CF-1, CF-6, CF-8)."""

from fastapi import APIRouter

router = APIRouter()
