"""A booking's logs are JSON lines with a request id and no unmasked guest phone number, and
/metrics shows the booking counter rising (ARCHITECTURE: observability)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import seed_hotel
from tests.support.clients import StaffClient, create_user
from tests.support.servers import server_log, server_process

PHONE = "13912345678"


def _counter(metrics_text: str) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("roomline_bookings_created_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_booking_logs_are_json_with_request_id_and_masked_phone(sessionmaker) -> None:
    from shared.db import unit_of_work

    seeded = await seed_hotel(sessionmaker, rooms=5)
    async with unit_of_work(sessionmaker) as session:
        await create_user(session, "logagent", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    with server_process(workers=False, relay=False) as (base_url, _):
        async with httpx.AsyncClient(base_url=base_url) as http:
            agent = await StaffClient(http).login("logagent")
            before = _counter((await http.get("/intake/metrics")).text)
            response = await agent.post_json(
                "/intake/api/bookings",
                {
                    "hotel_id": str(seeded.hotel_id),
                    "rate_plan_id": str(seeded.rate_plan_id),
                    "check_in": check_in.isoformat(),
                    "check_out": (check_in + timedelta(days=2)).isoformat(),
                    "rooms": 1,
                    "guest_names": ["张伟"],
                    "booker_name": "王芳",
                    "booker_phone": PHONE,
                    "payment_mode": "prepaid",
                    "confirm_channel": "email",
                    "confirm_contact": "wang.fang@example.com",
                    "idempotency_key": "obs-1",
                },
            )
            assert response.status_code == 201, response.text
            request_id = response.headers["x-request-id"]
            after = _counter((await http.get("/intake/metrics")).text)
        log_text = server_log(base_url)
    assert after == before + 1
    assert PHONE not in log_text
    assert not re.search(r"1391234\d{4}", log_text)
    lines = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    booking_lines = [line for line in lines if line.get("request_id") == request_id]
    events = {line["event"] for line in booking_lines}
    assert "booking_placed" in events and "request" in events
    placed = next(line for line in booking_lines if line["event"] == "booking_placed")
    assert placed["booker_phone"].endswith("5678") and placed["booker_phone"].startswith("***")
