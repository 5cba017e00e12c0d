"""The slips pages and API (PAY-1): the list by state with its empty state, the forms each
role sees, refused input named beside its field (422), a form posted twice taken once, and
the maker's sign refused (403)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from services.payments.ledger.models import LedgerTransaction
from services.payments.slips.models import SlipPayment
from shared.auth import Role
from tests.services.payments.slips_support import cancelled, deliver, open_slip, placed

API = "/payments/api/slips"


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "the payment form carries no token"
    return found.group(1)


async def test_the_list_filters_by_state_and_says_when_empty(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    lead = await login_as("lily", Role.TEAM_LEAD)
    empty = await lead.page("/payments/slips")
    assert empty.status_code == 200 and "No slips here." in empty.text
    slip = await open_slip(sessionmaker)
    listed = await lead.page("/payments/slips?state=open")
    assert f'data-booking-ref="{slip.booking_ref}"' in listed.text
    assert "Page 1 of 1" in listed.text
    signed = await lead.page("/payments/slips?state=signed")
    assert slip.booking_ref not in signed.text and "No slips here." in signed.text
    assert (await lead.page("/payments/slips?state=lost")).status_code == 422
    assert (await lead.page("/payments/slips?page=0")).status_code == 422
    body = (await lead.get(f"{API}?state=open")).json()
    assert body["total"] == 1 and body["slips"][0]["booking_ref"] == slip.booking_ref


async def test_each_role_sees_the_forms_it_may_use(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    path = f"/payments/slips/{slip.slip_id}"
    desk = await login_as("qian", Role.COLLECT_DESK)
    lead = await login_as("lily", Role.TEAM_LEAD)
    finance = await login_as("fay", Role.FINANCE)
    desk_page = (await desk.page(path)).text
    assert 'id="payment-form"' in desk_page and 'id="submit-form"' not in desk_page
    for other in (lead, finance):
        page = (await other.page(path)).text
        assert 'id="payment-form"' not in page and 'id="sign-form"' not in page
    assert 'id="invoice-form"' not in (await finance.page(path)).text


async def test_a_page_form_posted_twice_takes_the_money_once(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    path = f"/payments/slips/{slip.slip_id}"
    desk = await login_as("qian", Role.COLLECT_DESK)
    form = {"method": "cash", "amount": "500.00", "currency": "cny", "payer": "Li Lei",
            "token": _token((await desk.page(path)).text)}  # fmt: skip
    for _ in range(2):
        sent = await desk.post_form(f"{path}/payments", form)
        assert sent.status_code == 303, sent.text
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SlipPayment)) == 1
        assert await session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
    page = (await desk.page(path)).text
    assert "CN¥500.00" in page and 'id="submit-form"' in page


async def test_refused_input_is_named_beside_its_field(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    path = f"/payments/slips/{slip.slip_id}"
    desk = await login_as("qian", Role.COLLECT_DESK)
    base = {"method": "cash", "amount": "500", "currency": "CNY", "payer": "Li Lei"}
    bad_amount = await desk.post_form(f"{path}/payments", {**base, "amount": "five hundred"})
    assert bad_amount.status_code == 422
    assert 'id="amount-error">Enter an amount, like 688.00.' in bad_amount.text
    declined = {**base, "method": "card", "card_number": "4000000000000000"}
    refused = await desk.post_form(f"{path}/payments", declined)
    assert refused.status_code == 422 and 'id="card_number-error"' in refused.text
    assert "The card was declined" in refused.text
    no_payer = await desk.post_form(f"{path}/payments", {**base, "payer": ""})
    assert no_payer.status_code == 422 and 'id="payer-error"' in no_payer.text
    api = await desk.post_json(
        f"{API}/{slip.slip_id}/payments",
        {"method": "cheque", "amount_minor": -5, "currency": "CNY", "payer": "Li Lei"},
    )
    assert api.status_code == 422
    assert {f["field"] for f in api.json()["fields"]} == {"method", "amount_minor"}
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SlipPayment)) == 0


async def test_pay1_the_makers_sign_is_403_on_the_page_and_the_api(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    slip = await open_slip(sessionmaker)
    tina = await login_as("tina", Role.COLLECT_DESK, Role.TEAM_LEAD)
    body = {"method": "cash", "amount_minor": 137600, "currency": "CNY", "payer": "Li Lei"}
    assert (await tina.post_json(f"{API}/{slip.slip_id}/payments", body)).status_code == 201
    submitted = await tina.post_form(f"/payments/slips/{slip.slip_id}/submit", {})
    assert submitted.status_code == 303, submitted.text
    page = await tina.page(f"/payments/slips/{slip.slip_id}")
    assert 'id="maker-note"' in page.text and 'id="sign-form"' not in page.text
    refused = await tina.post_form(f"/payments/slips/{slip.slip_id}/sign", {})
    assert refused.status_code == 403
    assert "another team lead reviews it" in refused.text
    assert (await tina.post_json(f"{API}/{slip.slip_id}/sign", {})).status_code == 403
    lead = await login_as("lily", Role.TEAM_LEAD)
    back = await lead.post_form(f"/payments/slips/{slip.slip_id}/send-back", {"reason": ""})
    assert back.status_code == 422 and 'id="reason-error"' in back.text
    signed = await lead.post_form(f"/payments/slips/{slip.slip_id}/sign", {})
    assert signed.status_code == 303
    detail = (await lead.get(f"{API}/{slip.slip_id}")).json()
    assert (detail["state"], detail["maker"], detail["signer"]) == ("signed", "tina", "lily")


async def test_a_cancelled_booking_shows_its_refund_due(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    booking = placed()
    await deliver(sessionmaker, booking, version=1)
    desk = await login_as("qian", Role.COLLECT_DESK)
    slip_id = (await desk.get(f"{API}?state=open")).json()["slips"][0]["slip_id"]
    body = {"method": "cash", "amount_minor": 30000, "currency": "CNY", "payer": "Li Lei"}
    assert (await desk.post_json(f"{API}/{slip_id}/payments", body)).status_code == 201
    await deliver(sessionmaker, cancelled(booking, version=2), version=2)
    detail = (await desk.get(f"{API}/{slip_id}")).json()
    assert (detail["state"], detail["refund_due"]) == ("cancelled", True)
    page = (await desk.page(f"/payments/slips/{slip_id}")).text
    assert 'id="refund-due"' in page and 'id="payment-form"' not in page
    refused = await desk.post_json(f"{API}/{slip_id}/payments", {**body, "amount_minor": 1})
    assert refused.status_code == 409
