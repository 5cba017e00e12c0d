"""Every form's refusals in plain language, next to each field and summarised at the top with
links, in English and Chinese (issue 15): never pydantic's own words nor a rule's ID.

``CASES`` posts bad input (blank, too long, the wrong kind) to each page form that takes typed
input; ``EXEMPT`` names every other page POST route and why it has no case. A page route in
neither fails ``test_every_page_form_has_a_case``, so a new form cannot skip this test.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import pytest
from jinja2 import Environment, FileSystemLoader
from pydantic import BaseModel, Field, ValidationError

from migrations import SERVICES
from services.payments.settlement import service as statements
from shared.access import own_routes
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import RuleViolated
from shared.field_errors import SUMMARY_SLOT, FieldErrors, annotate, field_errors
from shared.i18n import COOKIE, install
from shared.limits import BusinessDate, Name, date_window
from shared.pages import SHARED_UI
from tests.services.contracts.helpers import hotel_body, set_up_hotel
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.services.members.cards_support import open_followup
from tests.services.noshow.factories import open_case
from tests.services.payments.bank_support import entries as bank_entries
from tests.services.payments.bank_support import upload as bank_upload
from tests.services.payments.settlement_support import PEACE, seed_ledger
from tests.services.payments.slips_support import open_slip, signed_cash_slip
from tests.support.clients import StaffClient, create_user
from workers.registry import MOUNTS

# pydantic's and FastAPI's own English, which no person should read on a page.
RAW = re.compile(
    r"Field required|should have|Input should|String should|value_error|Value error|"
    r"type=\w+|pydantic|Decimal input|Unable to parse|valid integer|List should"
)
# DOMAIN.md's rule IDs (and the brief's prefixes): for code and API bodies, never for staff.
RULE_ID = re.compile(r"\b(IN|CF|HR|NS|CO|PY|PAY|MB|SL|EV|CS)-\d+\b")
CJK = re.compile(r"[\u4e00-\u9fff]")
LONG = "x" * 5000


@dataclass
class Post:
    """One refused post: where, what, and the fields whose messages must stand beside them
    (none: a refusal about the whole form, shown in the summary only)."""

    path: str
    data: dict[str, Any]
    fields: list[str] = field(default_factory=list)


@dataclass
class World:
    client: StaffClient
    sessionmaker: Any
    made: dict[str, Any] = field(default_factory=dict)

    async def booking_ref(self) -> str:
        if "booking" not in self.made:
            seeded = await seed_hotel(self.sessionmaker, rooms=5)
            self.made["seeded"] = seeded
            body = booking_body(seeded, clock.today() + timedelta(days=3))
            placed = await self.client.post_json("/intake/api/bookings", body)
            assert placed.status_code == 201, placed.text
            self.made["booking"] = placed.json()["booking_ref"]
        ref: str = self.made["booking"]
        return ref

    async def hotel_id(self) -> str:
        if "hotel" not in self.made:
            self.made["hotel"] = (await set_up_hotel(self.client))["hotel_id"]
        hotel: str = self.made["hotel"]
        return hotel

    async def member_id(self) -> str:
        if "member" not in self.made:
            body = {"card_no": "m123456", "name": "王芳", "phones": ["13912345678"]}
            made = await self.client.post_json("/members/api/members", {**body, "level": "gold"})
            assert made.status_code == 201, made.text
            self.made["member"] = made.json()["member_id"]
        member: str = self.made["member"]
        return member

    async def memo_id(self) -> str:
        ref = await self.booking_ref()
        body = {
            "problem": "guest_name_mismatch",
            "department": "confirmation",
            "booking_ref": ref,
            "description": "Hotel has the guest as Zhang Wei, the booker says Zhang Wen.",
        }
        raised = await self.client.post_json("/intake/api/memos", body)
        assert raised.status_code == 201, raised.text
        memo: str = raised.json()["memo_id"]
        return memo


Case = Callable[[World], Awaitable[list[Post]]]


async def _login(w: World) -> list[Post]:
    # A wrong password concerns the whole form: the summary says so, no field is blamed.
    return [Post("/login", {"username": "nobody", "password": "wrong-password"})]


async def _staff(w: World) -> list[Post]:
    blank = {"username": "", "display_name": "", "password": "", "roles": []}
    short = {"username": "a", "display_name": "Ann", "password": "short", "roles": ["agent"]}
    return [
        Post("/admin/staff", blank, ["username", "display_name", "password", "roles"]),
        Post("/admin/staff", short, ["username", "password"]),
    ]


async def _booking(w: World) -> list[Post]:
    await w.booking_ref()
    seeded = w.made["seeded"]
    check_in = clock.today() + timedelta(days=6)
    form = await w.client.page(
        "/intake/book",
        params={
            "rate_plan_id": str(seeded.rate_plan_id),
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "rooms": "1",
        },
    )
    assert form.status_code == 200, form.text[:2000]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.text))
    hidden.pop("csrf_token", None)
    typed = {"payment_mode": "prepaid", "confirm_channel": "phone"}
    wrong = {
        **hidden,
        **typed,
        "guest_names": "张伟",
        "booker_name": "王芳",
        "booker_phone": "13800138000",
        "special_sell": "12345678901234567890",
    }
    return [
        # Blank: the booker and the guests both named, though the guests' rule runs later.
        Post("/intake/bookings", {**hidden, **typed}, ["guest_names", "booker_name"]),
        Post("/intake/bookings", {**wrong, "booker_name": LONG[:121]}, ["booker_name"]),
        Post("/intake/bookings", wrong, ["special_sell"]),
    ]


async def _modify(w: World) -> list[Post]:
    ref = await w.booking_ref()
    path = f"/intake/bookings/{ref}/modify"
    base = {"version": "1", "reason_category": "guest_request", "reason": "Guest asked"}
    return [
        Post(path, {**base, "reason": ""}, ["reason"]),
        Post(path, {**base, "rooms": "two"}, ["rooms"]),
    ]


async def _cancel_confirm(w: World) -> list[Post]:
    ref = await w.booking_ref()
    path = f"/intake/bookings/{ref}/cancel/confirm"
    return [Post(path, {"version": "1", "reason_category": "guest_request"}, ["reason"])]


async def _memo(w: World) -> list[Post]:
    base = {"problem": "other", "department": "confirmation", "description": "Fax unreadable"}
    return [
        Post("/intake/memos", {**base, "description": ""}, ["description"]),
        Post("/intake/memos", {**base, "due_in_hours": "soon"}, ["due_in_hours"]),
    ]


async def _memo_reply(w: World) -> list[Post]:
    memo = await w.memo_id()
    return [Post(f"/intake/memos/{memo}/replies", {"body": LONG}, ["body"])]


async def _noshow_second_check(w: World) -> list[Post]:
    case_id = await open_case(w.sessionmaker)
    marked = await w.client.post_form(f"/noshow/cases/{case_id}/provisional", {})
    assert marked.status_code == 303, marked.text
    form = {"hotel_contact": "", "hotel_said": LONG, "guest_stayed": "no"}
    return [Post(f"/noshow/cases/{case_id}/second-check", form, ["hotel_contact", "hotel_said"])]


async def _handover(w: World) -> list[Post]:
    return [
        Post("/intake/handover/entries", {"kind": "task", "body": ""}, ["body"]),
        Post("/intake/handover/entries", {"kind": "task", "body": LONG}, ["body"]),
    ]


async def _group_account(w: World) -> list[Post]:
    base = {"company_name": "Acme", "contact_name": "王芳", "phone": "+86 10 6512 0000"}
    return [
        Post("/intake/groups/accounts", {**base, "company_name": ""}, ["company_name"]),
        Post("/intake/groups/accounts", {**base, "discount_percent": "lots"}, ["discount_percent"]),
    ]


async def _hotel(w: World) -> list[Post]:
    form = {k: str(v) for k, v in hotel_body().items()}
    return [
        Post("/contracts/hotels", {**form, "name_en": ""}, ["name_en"]),
        Post("/contracts/hotels", {**form, "star_grade": "six"}, ["star_grade"]),
        Post("/contracts/hotels", {**form, "address": LONG}, ["address"]),
    ]


async def _room_type(w: World) -> list[Post]:
    hotel = await w.hotel_id()
    return [Post(f"/contracts/hotels/{hotel}/room-types", {"name": ""}, ["name"])]


async def _allotment(w: World) -> list[Post]:
    hotel = await w.hotel_id()
    day = (clock.today() + timedelta(days=5)).isoformat()
    path = f"/contracts/hotels/{hotel}/allotments"
    return [
        Post(path, {"first_night": "tomorrow", "last_night": day, "rooms": "3"}, ["first_night"]),
        Post(path, {"first_night": day, "last_night": day, "rooms": "-1"}, ["rooms"]),
    ]


async def _rates(w: World) -> list[Post]:
    hotel = await w.hotel_id()
    day = (clock.today() + timedelta(days=5)).isoformat()
    path = f"/contracts/hotels/{hotel}/rates"
    nights = {"first_night": day, "last_night": day}
    return [
        Post(path, {**nights, "net": "abc", "sell": "500"}, ["net"]),
        # A sell price under net breaks a rule (HR-4): its sentence, without the rule's ID.
        Post(path, {**nights, "net": "600", "sell": "500"}),
    ]


async def _contract(w: World) -> list[Post]:
    hotel = await w.hotel_id()
    path = f"/contracts/hotels/{hotel}/contracts"
    return [Post(path, {"valid_from": "", "payment_arrangement": "net_prepaid"}, ["valid_from"])]


async def _seasons(w: World) -> list[Post]:
    body = {"city": "Beijing", "name": "", "kind": "peak", "first_night": "2027-13-01"}
    return [Post("/contracts/seasons", body, ["name", "first_night"])]


async def _channel_manager(w: World) -> list[Post]:
    return [Post("/contracts/channel-managers", {"name": "", "all_hotels": "true"}, ["name"])]


async def _member(w: World) -> list[Post]:
    body = {"card_no": "", "name": "王芳", "phones": "13912345678", "level": "gold"}
    return [
        Post("/members/members", body, ["card_no"]),
        Post("/members/members", {**body, "card_no": "m7654321", "level": "diamond"}, ["level"]),
        Post("/members/members", {**body, "card_no": "m7654321", "city": LONG}, ["city"]),
    ]


async def _member_edit(w: World) -> list[Post]:
    member = await w.member_id()
    body = {"version_no": "1", "card_no": "m123456", "name": "", "phones": "", "level": "gold"}
    path = f"/members/members/{member}"
    # CS-1 (issue 18): contact details and the card change's reason.
    contact = {**body, "name": "王芳", "email": "abc", "postcode": "1" * 13}
    return [
        Post(path, body, ["name"]),
        Post(path, contact, ["email", "postcode"]),
        Post(
            path,
            {**body, "name": "王芳", "card_reason": LONG, "joined_via": "fax"},
            ["card_reason", "joined_via"],
        ),
    ]


async def _complaint(w: World) -> list[Post]:
    member = await w.member_id()
    path = f"/members/members/{member}/complaint"
    return [Post(path, {"note": "Room was dirty", "complaint_on": "01/02/2026"}, ["complaint_on"])]


async def _complaint_file(w: World) -> list[Post]:
    """CS-3 (issue 18): a complaint with no summary, an unknown category, a long name."""
    body = {"complainant_name": "王芳", "category": "room", "severity": "minor",
            "department": "booking", "summary": "空调坏了"}  # fmt: skip
    return [
        Post("/members/complaints", {**body, "summary": ""}, ["summary"]),
        Post(
            "/members/complaints",
            {**body, "category": "noise", "complainant_name": LONG},
            ["complainant_name", "category"],
        ),
    ]


async def _complaint_step(w: World) -> list[Post]:
    """CS-3 (issue 18): an empty answer, a visit dated outside the window."""
    body = {"complainant_name": "王芳", "category": "room", "severity": "major",
            "department": "booking", "summary": "空调坏了"}  # fmt: skip
    made = await w.client.post_json("/members/api/complaints", body)
    assert made.status_code == 201, made.text
    path = f"/members/complaints/{made.json()['complaint_id']}"
    return [
        Post(f"{path}/final", {"text": LONG * 3}, ["text"]),
        Post(f"{path}/visit", {"visit_on": "2026-13-01", "note": "致歉"}, ["visit_on"]),
    ]


async def _bank_ignore(w: World) -> list[Post]:
    imported = await bank_upload(w.client, "camt053_batch.xml")
    assert imported.status_code == 200, imported.text
    entry = (await bank_entries(w.sessionmaker))["BANKREF-3"].entry_id
    path = f"/payments/bank/entries/{entry}/ignore"
    return [Post(path, {"reason": ""}, ["reason"]), Post(path, {"reason": LONG}, ["reason"])]


async def _reward_add(w: World) -> list[Post]:
    form = {"code": "", "name_zh": "行李箱", "name_en": "Suitcase", "points": "lots"}
    return [Post("/members/rewards/catalogue", form, ["code", "points"])]


async def _redeem(w: World) -> list[Post]:
    from tests.services.members.rewards_support import submitted_redemption

    member = await w.member_id()
    reward, _made = await submitted_redemption(w.sessionmaker, member)
    form = {"member_id": member, "reward_id": reward, "delivery": "pickup", "office": "成都",
            "confirmed": "true"}  # fmt: skip
    too_long = {**form, "exception_requested": "true", "exception_reason": LONG}
    return [
        Post("/members/rewards/redemptions", {**form, "quantity": "0"}, ["quantity"]),
        Post("/members/rewards/redemptions", too_long, ["exception_reason"]),
    ]


async def _redemption_reject(w: World) -> list[Post]:
    from tests.services.members.rewards_support import submitted_redemption

    _reward, made = await submitted_redemption(w.sessionmaker, await w.member_id())
    path = f"/members/rewards/redemptions/{made}/reject"
    return [Post(path, {"reason": ""}, ["reason"]), Post(path, {"reason": LONG}, ["reason"])]


async def _statement_generate(w: World) -> list[Post]:
    return [Post("/payments/statements/generate", {"month": "2026-1x"}, ["month"])]


async def _statement_reject(w: World) -> list[Post]:
    await seed_ledger(w.sessionmaker)
    maker = Staff(0, "collect", "Collect", (Role.COLLECT_DESK.value,), "")  # not the checker
    async with unit_of_work(w.sessionmaker) as session:
        (made,) = await statements.generate(session, maker, date(2026, 10, 1), PEACE)
    path = f"/payments/statements/{made.statement_id}/reject"
    return [Post(path, {"reason": ""}, ["reason"]), Post(path, {"reason": LONG}, ["reason"])]


async def _slip_payment(w: World) -> list[Post]:
    path = f"/payments/slips/{(await open_slip(w.sessionmaker)).slip_id}/payments"
    base = {"method": "cash", "amount": "500", "currency": "CNY", "payer": "Li Lei"}
    card = {**base, "method": "card", "card_number": "4000000000000000"}
    return [
        Post(path, {**base, "amount": "five hundred"}, ["amount"]),
        Post(path, {**base, "payer": LONG}, ["payer"]),
        Post(path, card, ["card_number"]),  # declined by the card gateway
    ]


async def _slip_send_back(w: World) -> list[Post]:
    slip = await signed_cash_slip(w.sessionmaker, sign=False)  # submitted by qian
    path = f"/payments/slips/{slip.slip_id}/send-back"
    return [Post(path, {"reason": ""}, ["reason"]), Post(path, {"reason": LONG}, ["reason"])]


async def _slip_invoice(w: World) -> list[Post]:
    path = f"/payments/slips/{(await signed_cash_slip(w.sessionmaker)).slip_id}/invoice"
    return [
        Post(path, {"title": "", "amount": "100"}, ["title"]),
        Post(path, {"title": "Acme", "amount": "lots"}, ["amount"]),
    ]


async def _slip_handover(w: World) -> list[Post]:
    slip = await signed_cash_slip(w.sessionmaker, 50000)
    form = {"collector": "qian", "slip_ids": [str(slip.slip_id)]}
    return [
        Post("/payments/handovers", {**form, "counted_CNY": "499.00"}, ["counted_CNY"]),
        Post("/payments/handovers", {**form, "counted_CNY": "five"}, ["counted_CNY"]),
    ]


async def _hotel_deposit(w: World) -> list[Post]:
    import uuid

    from tests.services.payments import hotels_support as hs

    path = f"/payments/hotels/{await hs.hotel(w.sessionmaker)}/deposits"
    form = {"amount": "100.00", "paid_on": "2026-12-01", "request_id": str(uuid.uuid4())}
    return [
        Post(path, {**form, "amount": "12.345", "paid_on": "2026-13-01"}, ["amount", "paid_on"]),
        Post(path, {**form, "note": LONG}, ["note"]),
    ]


async def _hotel_refund(w: World) -> list[Post]:
    import uuid

    from tests.services.payments import hotels_support as hs

    booking = await hs.place(w.sessionmaker, hs.placed(await hs.hotel(w.sessionmaker)))
    async with unit_of_work(w.sessionmaker) as session:
        await hs.pay(session, booking.booking_id, 30_000)
    await hs.cancel(w.sessionmaker, booking)
    path = f"/payments/bookings/{booking.booking_ref}/refunds"
    form = {"method": "bank", "request_id": str(uuid.uuid4())}
    return [
        Post(path, {**form, "amount": "300.01"}, ["amount"]),  # more than the guest is owed
        Post(path, {**form, "amount": "lots"}, ["amount"]),
    ]


async def _points_rule(w: World) -> list[Post]:
    body = {"level": "gold", "currency": "CNY", "points_per_unit": "0.15", "points_per_night": "20"}
    return [
        Post("/members/points/rules", {**body, "points_per_unit": "-1"}, ["points_per_unit"]),
        Post(
            "/members/points/rules",
            {**body, "currency": "yuan", "points_per_night": "x"},
            ["currency", "points_per_night"],
        ),
    ]


async def _inactive_outcome(w: World) -> list[Post]:
    path = f"/members/inactive/{await open_followup(w.sessionmaker)}"
    return [
        Post(path, {"outcome": "forgot"}, ["outcome"]),
        Post(path, {"outcome": "other", "note": "x" * 501}, ["note"]),
        Post(path, {"outcome": "booking_problem"}, ["note"]),  # a booking problem needs a note
    ]


CASES: dict[str, Case] = {
    "gateway POST /login": _login,
    "gateway POST /admin/staff": _staff,
    "intake POST /bookings": _booking,
    "intake POST /bookings/{booking_ref}/modify": _modify,
    "intake POST /bookings/{booking_ref}/cancel/confirm": _cancel_confirm,
    "intake POST /memos": _memo,
    "intake POST /memos/{memo_id}/replies": _memo_reply,
    "intake POST /handover/entries": _handover,
    "intake POST /groups/accounts": _group_account,
    "contracts POST /hotels": _hotel,
    "contracts POST /hotels/{hotel_id}/room-types": _room_type,
    "contracts POST /hotels/{hotel_id}/allotments": _allotment,
    "contracts POST /hotels/{hotel_id}/rates": _rates,
    "contracts POST /hotels/{hotel_id}/contracts": _contract,
    "contracts POST /seasons": _seasons,
    "contracts POST /channel-managers": _channel_manager,
    "noshow POST /cases/{case_id}/{action}": _noshow_second_check,
    "members POST /members": _member,
    "members POST /members/{member_id}": _member_edit,
    "members POST /members/{member_id}/complaint": _complaint,
    "members POST /points/rules": _points_rule,
    "members POST /inactive/{followup_id}": _inactive_outcome,
    "members POST /complaints": _complaint_file,
    "members POST /complaints/{complaint_id}/{action}": _complaint_step,
    "members POST /rewards/catalogue": _reward_add,
    "members POST /rewards/redemptions": _redeem,
    "members POST /rewards/redemptions/{redemption_id}/reject": _redemption_reject,
    "payments POST /bank/entries/{entry_id}/ignore": _bank_ignore,
    "payments POST /hotels/{hotel_id}/{action}": _hotel_deposit,
    "payments POST /bookings/{booking_ref}/refunds": _hotel_refund,
    "payments POST /slips/{slip_id}/payments": _slip_payment,
    "payments POST /slips/{slip_id}/send-back": _slip_send_back,
    "payments POST /slips/{slip_id}/invoice": _slip_invoice,
    "payments POST /handovers": _slip_handover,
    "payments POST /statements/generate": _statement_generate,
    "payments POST /statements/{statement_id}/{decision}": _statement_reject,
}

# Page POST routes without a case, and why. Buttons carry no typed input: a refusal of one
# (a rule, a record gone) is a sentence in the summary, the path every case above checks too.
BUTTON = "a button: no typed input"
SAME_FORM = "the same fields and code as a form with a case"
UPLOAD = "a file upload: its rows' errors are listed by row, not by field"
EXEMPT: dict[str, str] = {
    "gateway POST /logout": BUTTON,
    "gateway POST /language": BUTTON,
    "gateway POST /admin/staff/{user_id}/roles": "a list to pick from; staff_admin._parsed",
    "gateway POST /admin/staff/{user_id}/deactivate": BUTTON,
    "gateway POST /admin/staff/{user_id}/activate": BUTTON,
    "gateway POST /admin/staff/{user_id}/password": "staff_admin._parsed, as /admin/staff",
    "gateway POST /admin/staff/lockouts/clear": BUTTON,
    "intake POST /bookings/{booking_ref}/cancel": SAME_FORM,
    "intake POST /full-house/{booking_ref}/acknowledge": BUTTON,
    "intake POST /special-prices/{booking_ref}/approve": "a note only; needs a pending price",
    "intake POST /special-prices/{booking_ref}/reject": "a note only; needs a pending price",
    "intake POST /groups/accounts/{account_id}": SAME_FORM,
    "intake POST /groups": "a draft group: needs a hotel with plans (tests/…/test_groups.py)",
    "intake POST /groups/{group_id}/rooming": UPLOAD,
    "intake POST /groups/{group_id}/place": BUTTON,
    "intake POST /groups/{group_id}/cancel": BUTTON,
    "intake POST /handover/{handover_id}/acknowledge": BUTTON,
    "intake POST /handover/tasks/{entry_id}/done": BUTTON,
    "contracts POST /hotels/{hotel_id}/rate-plans": SAME_FORM,
    "contracts POST /hotels/{hotel_id}/member-requests": BUTTON,
    "contracts POST /hotels/{hotel_id}/status": "a choice and a summary; hotels.pages as /hotels",
    "contracts POST /hotels/{hotel_id}/photos": UPLOAD,
    "contracts POST /hotels/{hotel_id}/calendar": "the grid's cells; restriction_pages",
    "contracts POST /hotels/{hotel_id}/conditions": "hotels.conditions: field_errors",
    "contracts POST /hotels/{hotel_id}/conditions/{condition_id}/remove": BUTTON,
    "contracts POST /contracts/{contract_id}/versions": SAME_FORM,
    "contracts POST /versions/{version_id}/submit": "needs a draft; agreements.pages._error",
    "contracts POST /versions/{version_id}/edit": SAME_FORM,
    "contracts POST /versions/{version_id}/withdraw": BUTTON,
    "contracts POST /versions/{version_id}/approve": BUTTON,
    "contracts POST /versions/{version_id}/reject": "needs a submitted version",
    "contracts POST /recommendations": "a month and a hotel picked from lists",
    "contracts POST /recommendations/{recommendation_id}/{decision}": BUTTON,
    "contracts POST /competitors/import": UPLOAD,
    "contracts POST /free-rooms/{action}": "needs a grant; reports.free_rooms: field_errors",
    "contracts POST /free-rooms/uses/{use_id}/{decision}": BUTTON,
    "contracts POST /imports": UPLOAD,
    "contracts POST /channel-managers/{channel_manager_id}/revoke": BUTTON,
    "confirmation POST /claim-next": BUTTON,
    "confirmation POST /tasks/{task_id}/{action}": "the confirmation desk's task page (helper D)",
    "confirmation POST /tasks/{task_id}/send": BUTTON,
    "confirmation POST /tasks/{task_id}/customer-notice/send": BUTTON,
    "confirmation POST /replies/{reply_id}/file": "a reference typed on a mail: needs a reply",
    "members POST /members/{member_id}/complaint/clear": BUTTON,
    "members POST /cards/batches": BUTTON,
    "members POST /cards/batches/{batch_no}/mailed": BUTTON,
    "members POST /inactive/refresh": BUTTON,
    "members POST /rewards/catalogue/{reward_id}": SAME_FORM,
    "members POST /rewards/redemptions/{redemption_id}/approve": "a tick and an optional note; "
    "needs another's redemption (tests/services/members/test_rewards_redemption.py)",
    "members POST /rewards/redemptions/{redemption_id}/withdraw": BUTTON,
    "members POST /rewards/redemptions/{redemption_id}/purchase": BUTTON,
    "members POST /rewards/redemptions/{redemption_id}/deliver": BUTTON,
    "members POST /rewards/batch/purchase": BUTTON,
    "metrics POST /admin/agents": "metrics' agent mapping page, its own field errors",
    "noshow POST /night-audit": UPLOAD,
    "noshow POST /check-ins": "one row of a report: refused like an upload's rows (rows.py)",
    "noshow POST /audit-credentials": "a name and hotels picked; night_audit.credentials",
    "noshow POST /audit-credentials/{credential_id}/revoke": BUTTON,
    "payments POST /bank": "a file upload: why it is refused stands beside the file field "
    "(tests/services/payments/test_bank_import.py)",
    "payments POST /bank/entries/{entry_id}/match": BUTTON,
    "payments POST /slips/{slip_id}/submit": BUTTON,
    "payments POST /slips/{slip_id}/sign": BUTTON,
}


def page_post_routes() -> set[str]:
    """Every service's own POST route that is not its JSON API, from the role tables (the
    kit's own, the event admin's buttons, are the same in every service and not forms)."""
    routes = set()
    for name in SERVICES:
        table = importlib.import_module(f"services.{name}.access").ROUTE_ROLES
        for route in own_routes(table):
            method, _sep, path = route.partition(" ")
            if method == "POST" and not path.startswith("/api/") and "/api/" not in path:
                routes.add(f"{name} {route}")
    return routes


def test_every_page_form_has_a_case() -> None:
    routes = page_post_routes()
    assert sorted(routes - CASES.keys() - EXEMPT.keys()) == []
    assert sorted((CASES.keys() | EXEMPT.keys()) - routes) == []  # none left behind
    assert MOUNTS  # the paths below are the all-in-one app's: /intake/…, /contracts/…


def _visible(html: str) -> str:
    return re.sub(r"<script\b.*?</script>|<!--.*?-->", "", html, flags=re.S)


def _control(html: str, name: str) -> str | None:
    for tag in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", html):
        text = tag.group()
        if f'name="{name}"' in text and 'type="hidden"' not in text and "aria-invalid" in text:
            return text
    return None


def assert_readable(html: str, post: Post, *, chinese: bool) -> None:
    seen = _visible(html)
    raw = RAW.search(seen)
    assert raw is None, f"{post.path}: raw validator text {raw.group()!r}"
    rule = RULE_ID.search(seen)
    assert rule is None, f"{post.path}: rule ID {rule.group()!r} shown"
    summary = re.search(
        r'<(?:div|p) class="error[^"]*"[^>]*role="alert"[^>]*>(.*?)</(?:div|p)>', seen, re.S
    )
    assert summary, f"{post.path}: no summary at the top"
    for name in post.fields:
        control = _control(seen, name)
        assert control, f"{post.path}: {name} is not marked aria-invalid"
        control_id = re.search(r'\bid="([^"]+)"', control)
        assert control_id, control
        message_id = f"{control_id.group(1)}-error"
        assert re.search(rf'aria-describedby="[^"]*\b{re.escape(message_id)}\b', control)
        after = seen[seen.index(control) :]
        message = re.search(
            rf'<span class="field-error" id="{re.escape(message_id)}">([^<]+)</span>', after
        )
        assert message, f"{post.path}: no message beside {name}"
        between = after[len(control) : message.start()]
        assert len(re.sub(r"</?(?:select|textarea|option)[^>]*>|[^<]*", "", between)) < 400
        assert f'href="#{control_id.group(1)}"' in seen, f"{post.path}: {name} not linked"
        if chinese:
            assert CJK.search(message.group(1)), f"{post.path}: {message.group(1)!r} not Chinese"


class _Booking(BaseModel):
    guest_names: list[Name] = Field(min_length=1)
    rooms: int = Field(ge=1, le=9)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    day: BusinessDate
    mode: Literal["prepaid", "pay_at_hotel"]


def _refusal(data: dict[str, Any]) -> FieldErrors:
    with pytest.raises(ValidationError) as refused:
        _Booking.model_validate(data)
    return field_errors(refused.value)


def test_each_pydantic_refusal_reads_as_a_catalog_sentence() -> None:
    errors = _refusal(
        {
            "guest_names": ["张伟", "x" * 300, "Li\x00Lei"],
            "rooms": "two",
            "amount": "1234567890123.456",
            "day": "9999-12-31",
            "mode": "cash",
        }
    )
    said = {p.field: p.message for p in errors.problems if p.field != "guest_names"}
    assert said == {
        "rooms": "Enter a whole number, like 2.",
        "amount": "Enter at most 12 digits.",
        "day": f"Enter a date between {date_window()[0]} and {date_window()[1]}.",
        "mode": "Choose one of the offered options.",
    }
    lines = [p.message for p in errors.problems if p.field == "guest_names"]
    assert lines == [
        "Line 2: Use at most 200 characters (this has 300).",
        "Line 3: Remove the invisible control character U+0000.",
    ]
    assert _refusal({"guest_names": []}).messages()["rooms"] == "Fill this in."
    assert all(RAW.search(str(e)) is None for e in (errors, _refusal({})))


def test_a_rule_refusal_reads_without_its_id_yet_the_api_keeps_it() -> None:
    refused = RuleViolated("Sell price is below the net price", rule="HR-4", field="sell")
    assert field_errors(refused).messages() == {"sell": "Sell price is below the net price"}
    assert refused.body()["rule"] == "HR-4"


def test_the_posted_form_gets_the_marks_and_the_summary_links_to_them() -> None:
    errors = _refusal({"guest_names": ["", "x" * 300], "rooms": "0"})
    page = (
        "<main>" + SUMMARY_SLOT + '<form method="post" action="/other"><input name="rooms"></form>'
        '<form method="post" action="/book"><label>Guests <textarea name="guest_names">'
        '</textarea></label><label>Rooms <input name="rooms" id="r"></label></form></main>'
    )
    env = Environment(loader=FileSystemLoader(str(SHARED_UI / "templates")), autoescape=True)
    install(env)
    html = annotate(page, errors, path="/book", env=env)
    assert '<form method="post" action="/other"><input name="rooms"></form>' in html
    assert '<input name="rooms" id="r" aria-invalid="true" aria-describedby="r-error">' in html
    assert '<span class="field-error" id="r-error">Enter 1 or more.</span>' in html
    # Two refused lines of one box: one message beside it, both said.
    assert html.count('id="field-guest_names-error"') == 1
    assert '<a href="#field-guest_names">Guests</a>' in html and '<a href="#r">Rooms</a>' in html
    assert html.index('href="#field-guest_names"') < html.index('href="#r"')  # page order


@pytest.fixture
async def world(http, sessionmaker) -> World:
    async with unit_of_work(sessionmaker) as session:
        await create_user(session, "kit", *Role)
    client = await StaffClient(await http()).login("kit")
    return World(client, sessionmaker)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("route", sorted(CASES))
async def test_a_refused_form_says_what_is_wrong_beside_each_field(
    world: World, route: str, locale: str
) -> None:
    posts = await CASES[route](world)
    world.client.http.cookies.set(COOKIE, locale)
    for post in posts:
        data = {k: v for k, v in post.data.items() if v != []}
        response = await world.client.post_form(post.path, data)
        assert 400 <= response.status_code < 500, (post.path, response.status_code)
        assert_readable(response.text, post, chinese=locale == "zh_CN")
