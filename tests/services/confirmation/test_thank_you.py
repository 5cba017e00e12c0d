"""NS-3: a guest whose final no-show is corrected to stayed is thanked through the desk's
transports. The correction arrives as ``noshow.stay_completed`` with ``corrects_version``
through confirmation's real handlers (``apply_once``), is queued as a dispatch and sent by the
real send job to a real SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.confirmation import sending, thank_you
from services.confirmation.models import OrderDispatch
from shared.clock import clock
from shared.events import Envelope, envelope_for
from shared.events.intake import BookingPlacedV1
from shared.events.noshow import StayCompletedV1, StayedNight
from tests.services.confirmation.factories import deliver, place_booking
from tests.services.confirmation.smtp_support import smtp_server
from tests.services.confirmation.test_sending import send_settings

GUEST_EMAIL = "li.lei@guest.example"


def stayed(
    booking: BookingPlacedV1, *, version: int, corrects: int | None, ref: str | None = None
) -> Envelope:
    """The no-show desk's outcome as it publishes it (one event per call: a new event id)."""
    nights = [StayedNight(night=n.night, sell_minor=68800, net_minor=58480) for n in booking.nights]
    payload = StayCompletedV1(
        booking_id=booking.booking_id,
        booking_ref=ref or booking.booking_ref,
        booking_version=1,
        outcome_version=version,
        hotel_id=booking.hotel_id,
        payment_mode=booking.payment_mode,
        currency="CNY",
        check_in=booking.check_in,
        check_out=booking.check_out,
        rooms=booking.rooms,
        recorded_by="nora",
        recorded_at=clock.now(),
        corrects_version=corrects,
        note="The night audit missed the late arrival" if corrects else "",
        nights=nights,
        room_revenue_minor=68800 * len(nights),
        net_minor=58480 * len(nights),
    )
    return envelope_for(
        payload, source="noshow", occurred_at=payload.recorded_at, aggregate_version=version
    )


async def booking(sessionmaker: Any, **overrides: Any) -> BookingPlacedV1:
    values: dict[str, Any] = {"confirm_channel": "email", "confirm_contact": GUEST_EMAIL}
    return await place_booking(
        sessionmaker, check_in=clock.today() - timedelta(days=1), **{**values, **overrides}
    )


async def thanks(sessionmaker: Any) -> list[OrderDispatch]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(OrderDispatch).where(OrderDispatch.audience == thank_you.AUDIENCE)
            )
        )


async def send_all(sessionmaker: Any, settings: Any) -> list[str]:
    """Each queued thank-you through the real send job's one try."""
    return [
        await sending.send_once(sessionmaker, settings, dispatch.dispatch_id)
        for dispatch in await thanks(sessionmaker)
    ]


async def test_ns3_a_correction_to_stayed_thanks_the_guest_by_email_once(
    sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """NS-3: final no-show (version 2) corrected to stayed (version 3): one bilingual mail."""
    placed = await booking(sessionmaker)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        assert await deliver(sessionmaker, stayed(placed, version=3, corrects=2)) == "handled"
        assert await send_all(sessionmaker, settings) == ["sent"]
        # Sending again (the sweep, a second job) finds it sent and mails nothing.
        assert await send_all(sessionmaker, settings) == ["not queued"]

    [mail] = server.messages
    assert mail.rcpt_tos == [GUEST_EMAIL]
    text_part = mail.message.get_body()
    assert text_part is not None
    subject, body = str(mail.message["Subject"]), text_part.get_content()
    assert placed.booking_ref in subject and "感谢您的入住" in subject
    assert "Thank you for staying with us" in subject
    assert "尊敬的 Li Lei：" in body and "Dear Li Lei," in body
    assert "现已更正为已入住" in body and "it is now recorded as stayed" in body
    assert "和平饭店" in body
    assert "NS-3" not in body and "NS-3" not in subject  # no rule ids in what people read
    [dispatch] = await thanks(sessionmaker)
    assert (dispatch.state, dispatch.channel, dispatch.address) == ("sent", "email", GUEST_EMAIL)
    assert dispatch.message_id == mail.message["Message-ID"]


async def test_ns3_a_first_stay_thanks_nobody(
    sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A stay recorded from the night audit (no ``corrects_version``) is no correction."""
    placed = await booking(sessionmaker)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        assert await deliver(sessionmaker, stayed(placed, version=1, corrects=None)) == "handled"
        assert await send_all(sessionmaker, settings) == []
    assert server.messages == []


async def test_ns3_the_correction_delivered_twice_sends_one_mail(
    sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same envelope again is dropped by the inbox; the same outcome under a second event
    id (republished) is dropped by the dispatch's id per outcome. A later correction of a
    later outcome is a new thank-you."""
    placed = await booking(sessionmaker)
    correction = stayed(placed, version=3, corrects=2)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        assert await deliver(sessionmaker, correction) == "handled"
        assert await deliver(sessionmaker, correction) == "duplicate"
        assert await deliver(sessionmaker, stayed(placed, version=3, corrects=2)) == "handled"
        assert await send_all(sessionmaker, settings) == ["sent"]
        assert len(server.messages) == 1
        assert await deliver(sessionmaker, stayed(placed, version=5, corrects=4)) == "handled"
        assert sorted(await send_all(sessionmaker, settings)) == ["not queued", "sent"]
    assert len(server.messages) == 2


async def test_ns3_a_customer_who_asked_for_a_call_is_thanked_by_sms_on_the_bookers_phone(
    sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A fax or a call for a thank-you would burden the desk: an SMS goes to the booker."""
    placed = await booking(sessionmaker, confirm_channel="phone", confirm_contact="")
    settings = send_settings(monkeypatch, tmp_path, sms_transport="folder")
    assert await deliver(sessionmaker, stayed(placed, version=3, corrects=2)) == "handled"
    assert await send_all(sessionmaker, settings) == ["sent"]
    [dispatch] = await thanks(sessionmaker)
    assert (dispatch.channel, dispatch.address) == ("sms", placed.booker_phone)
    assert placed.booking_ref in dispatch.body and "已更正为已入住" in dispatch.body
    assert len(dispatch.body) <= thank_you.SMS_LIMIT
    [written] = list((tmp_path / "outbox").rglob("*.txt"))
    assert placed.booking_ref in written.read_text(encoding="utf-8")
