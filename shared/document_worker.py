"""The child side of ``shared.documents``: one process that renders HTML to PDF, one at a time.

``shared.documents`` starts ``python -c "from shared.document_worker import serve; serve(FD)"``
with one end of a socket pair as FD, and talks to it with ``multiprocessing.connection``:

- the worker says ``("ready", None)`` once WeasyPrint is loaded (so a render's time cap
  counts the render, not the second Pango takes to load);
- then, for each ``(html, base_url)`` it receives, it answers ``("ok", pdf_bytes)`` or
  ``("error", reason)``; end of file on the socket (the parent closed it or died) ends it.

A render that runs past its time cap is not asked to stop: the parent kills the process.

Before rendering, ``printable`` replaces every character no installed font has with
``MISSING_GLYPH``, so a glyph we cannot print is a visible "[?]" on paper (and in the PDF's
text), never an empty box or nothing. The fonts are whatever fontconfig lists: the CJK font
for Chinese, DejaVu for other scripts, Symbola for emoji and symbols (``ops/local/
ensure-packages.sh browser`` installs them).

This module imports only the standard library (and WeasyPrint, in the child), so a worker
starts in well under a second.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import unicodedata
from functools import lru_cache
from typing import Any

# What stands for a character no font has: plain ASCII, so every font prints it and a reader
# (or pdftotext) sees that something was there.
MISSING_GLYPH = "[?]"
# Rendered once before the worker says it is ready: Pango, fontconfig and the big CJK font
# load on a process's first document, which would otherwise count against its time cap.
WARM_UP_HTML = (
    "<p style=\"font-family: 'Noto Sans CJK SC', 'DejaVu Sans', 'Symbola', sans-serif\">"
    "预订单 Order sheet ★ ✈</p>"
)


@lru_cache
def covered_codepoints() -> frozenset[int] | None:
    """Every code point some installed font has a glyph for (fontconfig's view, which is what
    Pango falls back through); None when fontconfig cannot be asked."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    covered: set[int] = set()
    for ranges in set(listing.split("\n")):
        for span in ranges.split():
            first, _, last = span.partition("-")
            try:
                covered.update(range(int(first, 16), int(last or first, 16) + 1))
            except ValueError:
                continue
    return frozenset(covered) or None


def _invisible(char: str) -> bool:
    """Characters that print nothing of their own (joiners, variation selectors, tags, white
    space): left to the shaper, which ignores them where no font has them."""
    code = ord(char)
    return (
        char.isspace()
        or unicodedata.category(char) == "Cf"
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def printable(text: str, covered: frozenset[int] | None = None) -> str:
    """``text`` with every character no installed font has replaced by ``MISSING_GLYPH``."""
    if text.isascii():
        return text
    covered = covered if covered is not None else covered_codepoints()
    if covered is None:
        return text
    return "".join(
        char if ord(char) in covered or _invisible(char) else MISSING_GLYPH for char in text
    )


def write_pdf(html: str, base_url: str | None) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=printable(html), base_url=base_url).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def serve(fd: int) -> None:
    """The worker's loop (see the module's doc)."""
    import socket
    from multiprocessing.connection import Connection

    # WeasyPrint warns about CSS it ignores; the parent reports what matters (failures).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    conn = Connection(socket.socket(fileno=fd).detach())
    try:
        write_pdf(WARM_UP_HTML, None)
    except Exception as exc:  # WeasyPrint or Pango missing: the parent says why
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:500]))
        return
    conn.send(("ready", None))
    while True:
        try:
            html, base_url = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[str, Any]
        try:
            reply = ("ok", write_pdf(html, base_url))
        except Exception as exc:  # the parent reports it; this process goes on
            reply = ("error", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


if __name__ == "__main__":
    serve(int(sys.argv[1]))
