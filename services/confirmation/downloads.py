"""Serving stored files (hotels' attachments, sent documents) as downloads, safely.

A hotel's mail decides an attachment's name and content type, so both are untrusted: the
name is cleaned for the header, and the file is always a download (``attachment``), never
rendered by the browser in our origin (``nosniff`` plus a sandboxing CSP for good measure).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import Response

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def safe_filename(name: str, fallback: str = "download") -> str:
    """The name without paths, control characters or header syntax; never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" .")
    return cleaned[:150] or fallback


def _ascii_fallback(name: str) -> str:
    ascii_only = name.encode("ascii", errors="ignore").decode().strip(" ._")
    return ascii_only or "download"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII name for old clients and the real one (RFC 6266/5987)."""
    safe = safe_filename(name)
    return f"attachment; filename=\"{_ascii_fallback(safe)}\"; filename*=UTF-8''{quote(safe)}"


def download(content: bytes, *, filename: str, content_type: str) -> Response:
    media_type = content_type if _CONTENT_TYPE.match(content_type.lower()) else ""
    return Response(
        content,
        media_type=media_type or "application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
