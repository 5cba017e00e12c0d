"""Issue 15, CF-4: the hotel's confirmation number found in its reply is offered on the task
page and the reply page for one-key acceptance, and the task page follows the task's state
without a reload (the live endpoint its script polls)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from services.confirmation.mail_parsing import confirmation_numbers
from shared.auth import Role
from shared.clock import clock
from tests.services.confirmation.factories import place_booking, publish_hotel
from tests.services.confirmation.helpers import DESK, mark_sent, queue_json
from tests.services.confirmation.inbound_support import (
    HOTEL,
    hotel_mail,
    inbound_server,
    send,
    stored_replies,
)

REF = "RLKW7PTA3X"
HOTEL_ID = uuid.UUID("7f1d2c3b-0000-4000-8000-000000000015")


def test_cf4_numbers_are_found_only_after_a_label_hotels_use() -> None:
    """Chinese and English labels; never our own booking ref, nor a number without a label
    (a phone, a price, a date)."""
    assert confirmation_numbers("确认号：HC-77812。谢谢") == ["HC-77812"]
    assert confirmation_numbers("您的预订已确认，确认号码为 20261206088") == ["20261206088"]
    assert confirmation_numbers("Confirmation No. 99812, see you") == ["99812"]
    assert confirmation_numbers("Conf# AB12-7/3.") == ["AB12-7/3"]
    assert confirmation_numbers(f"Booking {REF} confirmed, our number HC-77812.") == ["HC-77812"]
    assert confirmation_numbers(f"confirmation number: {REF}") == []
    assert confirmation_numbers("Call 010 6512 0000, rate 688.00 on 2026-12-06") == []
    assert confirmation_numbers("Confirmation no later than 5 pm") == []
    assert confirmation_numbers("确认号 A1", "确认号：A100，确认号：A100") == ["A100"]


async def _sent_booking(sessionmaker: Any) -> None:
    await publish_hotel(sessionmaker, hotel_id=HOTEL_ID, confirm_channel="email", email=HOTEL)
    await place_booking(
        sessionmaker, booking_ref=REF, hotel_id=HOTEL_ID, check_in=clock.today() + timedelta(5)
    )
    await mark_sent(sessionmaker, REF)


async def _task_id(desk: Any) -> str:
    body = await queue_json(desk, state="all")
    return str(next(item["task_id"] for item in body["items"] if item["booking_ref"] == REF))


async def _reply_arrives(sessionmaker: Any) -> uuid.UUID:
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail(f"回复: 预订单 {REF} 已确认", "确认号：HC-77812\n前台 李小姐"))
    [reply] = await stored_replies(sessionmaker)
    assert reply.booking_ref == REF  # filed on arrival by its subject
    return reply.reply_id


async def test_cf4_the_task_page_offers_the_replys_number_and_one_submit_confirms(
    sessionmaker, login_as
) -> None:
    await _sent_booking(sessionmaker)
    desk = await login_as("cora", DESK)
    task_id = await _task_id(desk)
    assert (await desk.post_json(f"/confirmation/api/tasks/{task_id}/claim", {})).is_success
    before = (await desk.page(f"/confirmation/tasks/{task_id}")).text
    assert 'id="accept-number"' not in before  # no reply yet, nothing to offer

    await _reply_arrives(sessionmaker)
    page = (await desk.page(f"/confirmation/tasks/{task_id}")).text
    offer = re.search(r'<form [^>]*class="inline offered-number">(.*?)</form>', page, re.S)
    assert offer is not None
    assert 'name="confirmation_no" value="HC-77812"' in offer.group(1)
    assert 'accesskey="a"' in offer.group(1) and "Alt+A" in offer.group(1)
    assert "Accept no. HC-77812 from the hotel's reply" in offer.group(1)

    accepted = await desk.post_form(
        f"/confirmation/tasks/{task_id}/confirm", {"confirmation_no": "HC-77812"}
    )
    assert accepted.status_code == 303
    task = (await desk.get(f"/confirmation/api/tasks/{REF}")).json()
    assert (task["state"], task["hotel_confirmation_no"]) == ("confirmed", "HC-77812")
    after = (await desk.page(f"/confirmation/tasks/{task_id}")).text
    assert 'id="accept-number"' not in after and "HC-77812" in after


async def test_cf4_the_reply_page_confirms_its_task_with_the_number_it_names(
    sessionmaker, login_as
) -> None:
    await _sent_booking(sessionmaker)
    reply_id = await _reply_arrives(sessionmaker)
    desk = await login_as("cora", DESK)
    task_id = await _task_id(desk)

    page = (await desk.page(f"/confirmation/replies/{reply_id}")).text
    assert f'action="/confirmation/tasks/{task_id}/confirm"' in page
    assert f"Confirm {REF} with no. HC-77812" in page and 'accesskey="a"' in page
    assert "confirmation-task.js" in page  # the Alt+A shortcut in every browser

    accepted = await desk.post_form(
        f"/confirmation/tasks/{task_id}/confirm", {"confirmation_no": "HC-77812"}
    )
    assert accepted.status_code == 303
    task = (await desk.get(f"/confirmation/api/tasks/{REF}")).json()
    assert (task["state"], task["hotel_confirmation_no"]) == ("confirmed", "HC-77812")
    page = (await desk.page(f"/confirmation/replies/{reply_id}")).text
    assert "The mail gives no. HC-77812." in page  # shown, no longer offered
    assert f"/tasks/{task_id}/confirm" not in page


async def test_issue15_the_live_endpoint_changes_its_version_only_when_the_page_would(
    sessionmaker, login_as
) -> None:
    """The task page's script polls this; the page renders the same version, so the script
    fetches the page again only when something on it changed (sending → sent → confirmed)."""
    await _sent_booking(sessionmaker)
    desk = await login_as("cora", DESK)
    task_id = await _task_id(desk)
    url = f"/confirmation/api/tasks/{task_id}/live"

    first = (await desk.get(url)).json()
    assert first["state"] == "sent" and first["booking_ref"] == REF
    assert (await desk.get(url)).json()["version"] == first["version"]  # nothing changed
    page = (await desk.page(f"/confirmation/tasks/{task_id}")).text
    assert f'data-version="{first["version"]}"' in page
    assert f'data-live-url="{url}"' in page and "confirmation-task.js" in page
    assert "&#34;sent&#34;: &#34;sent&#34;" in page  # the state words, for the script

    await _reply_arrives(sessionmaker)
    with_reply = (await desk.get(url)).json()
    assert with_reply["version"] != first["version"] and with_reply["state"] == "sent"

    await desk.post_json(f"/confirmation/api/tasks/{task_id}/confirm", {"confirmation_no": "X9"})
    confirmed = (await desk.get(url)).json()
    assert confirmed["state"] == "confirmed" and confirmed["hotel_confirmation_no"] == "X9"
    assert confirmed["version"] != with_reply["version"]

    agent = await login_as("ana", Role.AGENT)
    assert (await agent.get(url)).status_code == 403
    assert (await desk.get(f"/confirmation/api/tasks/{uuid.uuid4()}/live")).status_code == 404
    assert (await desk.get("/confirmation/api/tasks/not-a-task/live")).status_code == 422
