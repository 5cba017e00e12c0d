"""HR-2: the hotel file keeps location and facilities, and publishes them with the hotel."""

from __future__ import annotations

import re

from shared.auth import Role
from tests.services.contracts.helpers import hotel_body, outbox


async def test_hr2_coordinates_and_facilities_are_kept_and_published(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    form = {k: str(v) for k, v in hotel_body().items()}
    form |= {"latitude": "39.9087", "longitude": "116.4605", "facilities": "pool, gym，会议室"}
    response = await desk.post_form("/contracts/hotels", form)
    assert response.status_code == 303, response.text
    page = await desk.page(response.headers["location"])
    assert re.search(r"<title>\s*[^<]+ · roomline</title>", page.text), "bad <title>"
    assert "Facilities: pool, gym, 会议室" in page.text and "39.9087, 116.4605" in page.text
    snapshot = (await outbox(sessionmaker, "contracts.hotel_published"))[-1]
    assert (snapshot["latitude"], snapshot["longitude"]) == (39.9087, 116.4605)
    assert snapshot["facilities"] == ["pool", "gym", "会议室"]


async def test_hr2_half_a_location_is_refused_naming_the_field(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    response = await desk.post_json("/contracts/api/hotels", hotel_body(latitude=39.9))
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "longitude"
    far = await desk.post_json("/contracts/api/hotels", hotel_body(latitude=95, longitude=10))
    assert far.status_code == 422 and far.json()["fields"][0]["field"] == "latitude"
    assert await outbox(sessionmaker) == []
