"""Order sheets and letters render in worker processes, a few at once, each within a time cap,
and print emoji and symbols (issue 14).

A 5,000-character guest name made a sheet that took minutes to render while every other
preview waited. Here the renderer runs with a small cap (``shared.documents.configure``): the
runaway sheet is stopped with a bilingual error while a normal sheet renders beside it, no
more renders than allowed ever run at once, and a guest's emoji prints (or shows as "[?]"
where no font has it). Bookings arrive through the real event handlers; the PDFs come from the
real endpoints and WeasyPrint, and pypdf reads back what the hotel would see.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from services.confirmation.models import ConfirmationTask, OrderDispatch
from services.confirmation.order_sheet import order_sheet
from shared import documents as kit
from shared.clock import clock
from shared.document_worker import MISSING_GLYPH, covered_codepoints, printable
from tests.services.confirmation.factories import beijing, place_booking, publish_hotel
from tests.services.confirmation.helpers import DESK

# Long enough for a normal sheet on a loaded machine, far below the runaway's minutes.
CAP_SECONDS = 10.0
# Line breaking between 5,000 Chinese characters takes WeasyPrint minutes (the sheet).
RUNAWAY_NAME = "王" * 5000
BOUND = 120  # seconds: the longest any wait here may take before the test fails


@pytest.fixture(autouse=True)
def _frozen_clock() -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))


RendererFactory = Callable[[float], Awaitable[kit.DocumentRenderer]]


@pytest.fixture
def renderer_with() -> Iterator[RendererFactory]:
    """``await renderer_with(seconds)``: the process's renderer, two at once and that cap,
    its workers started (so no render waits for a process to load), for this test only."""

    async def make(seconds: float) -> kit.DocumentRenderer:
        ours = kit.configure(
            kit.DocumentSettings(document_renders=2, document_render_seconds=seconds)
        )
        async with asyncio.timeout(BOUND):
            await ours.warm_up()
        assert len(ours.worker_pids()) == 2
        return ours

    yield make
    kit.configure(kit.document_settings())


async def booked(sessionmaker: Any, ref: str, **booking: Any) -> ConfirmationTask:
    hotel = await publish_hotel(sessionmaker, fax="+86 10 6512 0000")
    await place_booking(
        sessionmaker,
        booking_ref=ref,
        hotel_id=hotel.hotel_id,
        check_in=date(2026, 3, 20),
        **booking,
    )
    async with sessionmaker() as session:
        task = await session.scalar(
            select(ConfirmationTask).where(ConfirmationTask.booking_ref == ref)
        )
    assert task is not None
    return task


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


async def until(condition: Any, what: str) -> None:
    async with asyncio.timeout(BOUND):
        while not condition():
            await asyncio.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_runaway_sheet_is_stopped_and_a_normal_one_renders_meanwhile(
    login_as, sessionmaker, renderer_with: RendererFactory
) -> None:
    renderer = await renderer_with(CAP_SECONDS)
    runaway = await booked(sessionmaker, "RLHUGE01", guest_names=[RUNAWAY_NAME])
    normal = await booked(sessionmaker, "RLNORM01", guest_names=["张伟"])
    desk = await login_as("cora", DESK)

    # The desk opens the huge sheet in the browser (a page: it wants HTML back on error).
    huge = asyncio.create_task(desk.page(f"/confirmation/tasks/{runaway.task_id}/order.pdf"))
    await until(lambda: renderer.in_progress == 1, "the runaway render started")
    busy = set(renderer.worker_pids())

    async with asyncio.timeout(BOUND):
        sheet = await desk.get(f"/confirmation/tasks/{normal.task_id}/order.pdf")
    assert not huge.done(), "the normal sheet waited for the runaway"
    assert renderer.peak == 2  # rendered beside the runaway, not after it
    assert sheet.status_code == 200, sheet.text
    assert "RLNORM01" in text_of(sheet.content) and "张伟" in text_of(sheet.content)

    async with asyncio.timeout(BOUND):
        stopped = await huge
    assert stopped.status_code == 503
    assert "生成超过 10 秒，已停止" in stopped.text
    assert "took longer than 10 s to render and was stopped" in stopped.text
    assert "RLHUGE01-order-new.pdf" in stopped.text
    assert renderer.timed_out == 1 and renderer.completed == 1
    # Its process was killed, not left running: the render cannot eat a CPU any longer.
    killed = busy - set(renderer.worker_pids())
    assert len(killed) == 1 and not any(alive(pid) for pid in killed)

    # The renderer goes on (with a fresh process in place of the killed one).
    again = await desk.get(f"/confirmation/tasks/{normal.task_id}/order.pdf")
    assert again.status_code == 200 and "RLNORM01" in text_of(again.content)


async def test_sending_a_runaway_sheet_is_refused_visibly_and_nothing_is_queued(
    login_as, sessionmaker, renderer_with: RendererFactory
) -> None:
    await renderer_with(3)
    hotel = await publish_hotel(sessionmaker, confirm_channel="email", email="fo@peace.example")
    await place_booking(
        sessionmaker,
        booking_ref="RLHUGE02",
        hotel_id=hotel.hotel_id,
        check_in=date(2026, 3, 20),
        guest_names=[RUNAWAY_NAME],
    )
    async with sessionmaker() as session:
        task = await session.scalar(
            select(ConfirmationTask).where(ConfirmationTask.booking_ref == "RLHUGE02")
        )
    assert task is not None
    desk = await login_as("cora", DESK)

    async with asyncio.timeout(BOUND):
        page = await desk.post_form(f"/confirmation/tasks/{task.task_id}/send", {})
    assert page.status_code == 503
    assert "took longer than 3 s to render and was stopped" in page.text
    assert "RLHUGE02" in page.text  # the task's own page, with the reason on it

    async with sessionmaker() as session:
        after = await session.get(ConfirmationTask, task.task_id)
        queued = await session.scalar(select(func.count()).select_from(OrderDispatch))
    assert after is not None and after.state == "unsent"  # still in the queue, not lost
    assert queued == 0

    async with asyncio.timeout(BOUND):
        refused = await desk.post_json(f"/confirmation/api/tasks/{task.task_id}/send", {})
    assert refused.status_code == 503
    assert refused.json()["error"] == "document_render_timed_out"
    assert "请检查客人姓名" in refused.json()["detail"]


async def test_no_more_renders_run_at_once_than_allowed(
    sessionmaker, renderer_with: RendererFactory
) -> None:
    renderer = await renderer_with(60)
    tasks = [
        await booked(sessionmaker, f"RLMANY{n:02d}", guest_names=[f"Guest {n}"]) for n in range(6)
    ]

    async def sheet(task: ConfirmationTask) -> bytes:
        async with sessionmaker() as session:
            return (await order_sheet(session, task)).content

    async with asyncio.timeout(BOUND):
        pdfs = await asyncio.gather(*(sheet(task) for task in tasks))

    for task, pdf in zip(tasks, pdfs, strict=True):
        assert task.booking_ref in text_of(pdf)
    assert renderer.completed == 6
    assert 1 <= renderer.peak <= renderer.renders == 2
    assert len(renderer.worker_pids()) <= 2  # one process per render at once, reused
    assert renderer.in_progress == 0


async def test_an_emoji_guest_name_prints_with_the_emoji(
    login_as, sessionmaker, renderer_with: RendererFactory
) -> None:
    await renderer_with(60)
    task = await booked(
        sessionmaker,
        "RLEMOJI1",
        guest_names=["王小明 😀 ✈ ★", "Li Na 👍"],
        special_requests="无烟房 🚭",
    )
    desk = await login_as("cora", DESK)
    response = await desk.get(f"/confirmation/tasks/{task.task_id}/order.pdf")
    assert response.status_code == 200, response.text
    text = text_of(response.content)

    for printed in ("王小明 😀 ✈ ★", "Li Na 👍", "无烟房 🚭"):
        assert printed in text, printed
    # Drawn from a font that has them (Symbola), not as empty boxes with the right label.
    assert any("Symbola" in font for font in fonts_of(response.content))


async def test_a_character_no_font_has_prints_as_a_visible_marker(
    login_as, sessionmaker, renderer_with: RendererFactory
) -> None:
    await renderer_with(60)
    covered = covered_codepoints()
    assert covered is not None, "fontconfig (fc-list) is needed to print PDFs"
    missing = next(chr(c) for c in range(0x10FFFD, 0x10FF00, -1) if c not in covered)
    task = await booked(sessionmaker, "RLEMOJI2", guest_names=[f"Chen{missing}Jie"])
    desk = await login_as("cora", DESK)
    response = await desk.get(f"/confirmation/tasks/{task.task_id}/order.pdf")
    assert response.status_code == 200, response.text
    assert f"Chen{MISSING_GLYPH}Jie" in text_of(response.content)


def test_printable_replaces_only_what_no_font_has() -> None:
    covered = frozenset(map(ord, "王小明 abc😀"))
    assert printable("王小明 😀", covered) == "王小明 😀"
    assert printable("abc 🥲", covered) == f"abc {MISSING_GLYPH}"
    # Joiners and variation selectors print nothing of their own: left alone, never "[?]".
    assert printable("😀\ufe0f\u200d😀", covered) == "😀\ufe0f\u200d😀"
    assert printable("plain ASCII", frozenset()) == "plain ASCII"
