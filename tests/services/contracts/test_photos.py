"""HR-2: hotel photos are stored on disk under the configured folder and shown as thumbnails;
a file that is not an image is refused and nothing is stored."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import text

from shared.auth import Role
from shared.db import unit_of_work
from tests.services.contracts.helpers import hotel_body


@pytest.fixture
def photo_dir(web_app, tmp_path):
    contracts_app = next(r.app for r in web_app.routes if getattr(r, "path", "") == "/contracts")
    original = contracts_app.state.settings.photo_dir
    contracts_app.state.settings.photo_dir = tmp_path
    yield tmp_path
    contracts_app.state.settings.photo_dir = original


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


async def _upload(desk, hotel_id: str, content: bytes, name: str = "lobby.png"):
    return await desk.http.post(
        f"/contracts/hotels/{hotel_id}/photos",
        files={"photo": (name, content, "image/png")},
        data={"csrf_token": desk.csrf, "caption": "Lobby"},
        headers={"accept": "text/html"},
    )


async def test_hr2_photo_is_stored_with_a_thumbnail_and_shown(login_as, photo_dir) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = (await desk.post_json("/contracts/api/hotels", hotel_body())).json()["hotel_id"]
    response = await _upload(desk, hotel_id, _png(1600, 1200))
    assert response.status_code == 303
    files = sorted(p.name for p in photo_dir.iterdir())
    assert len(files) == 2 and any(name.endswith(".thumb.jpg") for name in files)
    page = await desk.page(f"/contracts/hotels/{hotel_id}")
    thumb_url = re.search(r'src="([^"]+thumb=true)"', page.text)
    assert thumb_url, "the hotel page shows no thumbnail"
    thumb = await desk.get(thumb_url.group(1))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (240, 180)


async def test_hr2_a_file_that_is_not_an_image_is_refused(
    login_as, photo_dir, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = (await desk.post_json("/contracts/api/hotels", hotel_body())).json()["hotel_id"]
    response = await _upload(desk, hotel_id, b"<script>alert(1)</script>", name="x.png")
    assert response.status_code == 422 and "not a photo" in response.text
    assert list(photo_dir.iterdir()) == []
    async with unit_of_work(sessionmaker) as session:
        count = await session.execute(text("SELECT count(*) FROM contracts.hotel_photo"))
        assert count.scalar_one() == 0
