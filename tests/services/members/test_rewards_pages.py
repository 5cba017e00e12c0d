"""CS-2 on the pages: the desk fills the redemption form from the member's points, the general
manager approves on /members/rewards/approvals, the quarter's batch is bought and delivered,
and the written confirmation is a PDF letter in Chinese and English, only after delivery."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from shared.auth import Role
from tests.services.members.rewards_support import add_reward, balance, member_with_points

ROOT = "/members/rewards"


def _form(member_id: str, reward_id: str, **overrides: str) -> dict[str, str]:
    form = {
        "member_id": member_id,
        "reward_id": reward_id,
        "quantity": "1",
        "delivery": "pickup",
        "office": "成都办事处",
        "confirmed": "true",
    }
    return {**form, **overrides}


def _redemption_id(response) -> str:
    found = re.search(r"/rewards/redemptions/([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers
    return found.group(1)


async def test_cs2_redeem_form_refusals_stand_beside_the_field(login_as, sessionmaker) -> None:
    """CS-2: quantity 0, a reason over 300 characters, no confirmation with the member, more
    than the member has: the form again with the message beside the field, nothing locked."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await member_with_points(desk, sessionmaker, 5000)
    reward = await add_reward(desk, "LUGGAGE", 4000)
    page = await desk.page(f"{ROOT}/redeem", params={"member_id": member})
    assert page.status_code == 200 and 'id="active-points">5,000<' in page.text

    cases = [
        (_form(member, reward, quantity="0"), "quantity", 422),
        (_form(member, reward, exception_requested="true", exception_reason="x" * 301),
         "exception_reason", 422),
        ({k: v for k, v in _form(member, reward).items() if k != "confirmed"}, "confirmed", 422),
        (_form(member, reward, quantity="2"), None, 409),
    ]  # fmt: skip
    for form, field, status in cases:
        refused = await desk.post_form(f"{ROOT}/redemptions", form)
        assert refused.status_code == status, (form, refused.text[:500])
        if field:
            assert f'id="{field}-error"' in refused.text, (field, refused.text)
        else:
            assert "5000 points to redeem" in refused.text
    held = await balance(sessionmaker, member)
    assert (held.active, held.locked) == (5000, 0)


async def test_cs2_redeem_approve_buy_deliver_and_letter(login_as, sessionmaker) -> None:
    """CS-2 end to end on the pages: the batch counts what to buy, delivery unlocks the letter
    (409 before), the letter names the member and the reward in Chinese and English."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    boss = await login_as("gao", Role.GENERAL_MANAGER)
    member = await member_with_points(desk, sessionmaker, 9000)
    reward = await add_reward(desk, "LUGGAGE", 4000)
    sent = await desk.post_form(f"{ROOT}/redemptions", _form(member, reward, quantity="2"))
    assert sent.status_code == 303, sent.text
    redemption = _redemption_id(sent)
    approvals = await boss.page(f"{ROOT}/approvals")
    assert approvals.status_code == 200 and "王芳" in approvals.text and "8,000" in approvals.text
    assert (await desk.page(f"{ROOT}/approvals")).status_code == 403

    approved = await boss.post_form(f"{ROOT}/redemptions/{redemption}/approve", {})
    assert approved.status_code == 303, approved.text
    assert (await balance(sessionmaker, member)).spent == 8000
    batch = await desk.page(f"{ROOT}/batch")
    assert re.search(r"<td>行李箱 / Suitcase</td><td class=\"num\">2</td>", batch.text), batch.text
    letter = f"{ROOT}/redemptions/{redemption}/letter.pdf"
    assert (await desk.get(letter)).status_code == 409  # not delivered yet
    quarter = re.search(r'name="quarter" value="(\d{4}Q\d)"', batch.text).group(1)
    bought = await desk.post_form(f"{ROOT}/batch/purchase", {"quarter": quarter})
    assert bought.status_code == 303, bought.text
    delivered = await desk.post_form(f"{ROOT}/redemptions/{redemption}/deliver", {})
    assert delivered.status_code == 303, delivered.text

    pdf = await desk.get(letter)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    words = re.sub(r"\s+", "", words)
    for expected in ("王芳", "M123456", "行李箱", "Suitcase", "8,000", "成都办事处",
                     "Rewarddeliveryconfirmation", "奖品送达确认函"):  # fmt: skip
        assert expected in words, (expected, words)


async def test_cs2_catalogue_add_refused_and_deactivated(login_as, sessionmaker) -> None:
    """CS-2: a reward needs a code and positive points (refused beside the field); a
    deactivated reward leaves the redemption form."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await member_with_points(desk, sessionmaker, 0)
    reward = await add_reward(desk, "MOVIE-2", 1000, name_en="Two cinema tickets")
    bad = {"code": "", "name_zh": "电影票", "name_en": "Tickets", "points": "0", "active": "true"}
    refused = await desk.post_form(f"{ROOT}/catalogue", bad)
    assert refused.status_code == 422
    assert 'id="code-error"' in refused.text and 'id="points-error"' in refused.text
    edit = {
        "code": "MOVIE-2",
        "name_zh": "电影票两张",
        "name_en": "Two cinema tickets",
        "points": "1200",
    }  # fmt: skip  (no "active": unticked)
    assert (await desk.post_form(f"{ROOT}/catalogue/{reward}", edit)).status_code == 303
    form = await desk.page(f"{ROOT}/redeem", params={"member_id": member})
    assert "Two cinema tickets" not in form.text
    listing = await desk.page(ROOT)
    assert "deactivated" in listing.text and "1,200" in listing.text


async def test_cs2_an_approved_exception_is_sent_now_not_in_the_batch(
    login_as, sessionmaker
) -> None:
    """CS-2: prizes go out once a quarter unless an exception is approved: an approved
    exception has no quarter and is listed apart ("send now"); the general manager cannot
    grant an exception nobody asked for (422), and may approve an asked one into the batch."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    boss = await login_as("gao", Role.GENERAL_MANAGER)
    member = await member_with_points(desk, sessionmaker, 12_000)
    reward = await add_reward(desk, "LUGGAGE", 4000)
    asked = _form(member, reward, exception_requested="true", exception_reason="出国前需要")
    urgent = _redemption_id(await desk.post_form(f"{ROOT}/redemptions", asked))
    plain = _redemption_id(await desk.post_form(f"{ROOT}/redemptions", _form(member, reward)))

    granted = await boss.post_form(
        f"{ROOT}/redemptions/{urgent}/approve", {"exception_approved": "true"}
    )
    not_asked = await boss.post_form(
        f"{ROOT}/redemptions/{plain}/approve", {"exception_approved": "true"}
    )
    assert granted.status_code == 303 and not_asked.status_code == 422
    assert (await boss.post_form(f"{ROOT}/redemptions/{plain}/approve", {})).status_code == 303

    api = "/members/api/rewards/redemptions"
    assert (await desk.get(f"{api}/{urgent}")).json()["batch_quarter"] is None
    assert (await desk.get(f"{api}/{plain}")).json()["batch_quarter"] is not None
    batch = (await desk.page(f"{ROOT}/batch")).text
    in_batch, exceptions = batch.split('id="batch"')[1].split('id="exceptions"')
    assert f"/redemptions/{plain}" in in_batch and f"/redemptions/{urgent}" not in in_batch
    assert f"/redemptions/{urgent}" in exceptions and f"/redemptions/{plain}" not in exceptions
    assert (await balance(sessionmaker, member)).spent == 8000
