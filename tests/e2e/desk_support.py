"""What the confirmation desk's browser tests share: a hotel known to intake and to
confirmation with bookings placed over HTTP, and a hotel's mail to the desk's inbound SMTP."""

from __future__ import annotations

import asyncio
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.confirmation.factories import deliver, envelope, hotel_published
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.support.clients import StaffClient
from tests.support.infra import INFRA


def seed_and_book(
    base_url: str, *, agent: str, days_ahead: tuple[int, ...], **contact: str
) -> list[dict[str, Any]]:
    """A hotel with 5 rooms whose file (``contact``: confirm_channel, fax, email) reached the
    desk; ``agent`` books 2 nights from each of ``days_ahead`` days from today, in order."""

    async def run() -> list[dict[str, Any]]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            sessionmaker = make_sessionmaker(engine)
            seeded = await seed_hotel(sessionmaker, rooms=5)
            hotel = hotel_published(hotel_id=seeded.hotel_id, **contact)
            assert await deliver(sessionmaker, envelope(hotel, source="contracts")) == "handled"
        finally:
            await engine.dispose()
        async with httpx.AsyncClient(base_url=base_url) as http:
            client = await StaffClient(http).login(agent)
            booked = []
            for days in days_ahead:
                body = booking_body(seeded, clock.today() + timedelta(days=days), nights=2)
                response = await client.post_json("/intake/api/bookings", body)
                assert response.status_code == 201, response.text
                booked.append(response.json())
            return booked

    return asyncio.run(run())


def mail_to_desk(port: int, *, sender: str, subject: str, body: str) -> None:
    """A hotel's reply, through the desk's inbound SMTP server on ``port``."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = "confirm@roomline.example"
    reply["Subject"] = subject
    reply.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(reply)
