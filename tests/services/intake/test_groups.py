"""Group clients (IN-9): corporate accounts kept by team leads, group bookings with a rooming
list typed or uploaded (CSV, Excel) and checked row by row, all rooms booked in one
transaction or none, and the worklist with yesterday's unfinished groups first."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.group_support import (
    ACCOUNTS,
    GROUPS,
    PLAN,
    account_body,
    csv_file,
    group_body,
    group_hotel,
    new_account,
    room,
    sold,
    written,
    xlsx_file,
)

KING, TWIN = "Superior King", "Deluxe Twin"


# --- accounts ------------------------------------------------------------------------------


async def test_in9_team_lead_keeps_accounts_and_bad_input_names_the_field(login_as) -> None:
    lead = await login_as("lan", Role.TEAM_LEAD)
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(lead, monthly_settlement=True, credit_limit_minor=5_000_000)
    bad = [
        ({"phone": "ask reception"}, "phone"),
        ({"discount_percent": "100"}, "discount_percent"),
        ({"email": "not-an-address"}, "email"),
        ({"company_name": "Other", "credit_limit_minor": 100}, "credit_limit_minor"),
    ]
    for override, field in bad:
        response = await lead.post_json(ACCOUNTS, account_body(**override))
        assert response.status_code == 422, (override, response.text)
        assert response.json()["fields"][0]["field"] == field
    duplicate = await lead.post_json(ACCOUNTS, account_body(company_name="acme trading"))
    assert duplicate.status_code == 409 and duplicate.json()["fields"][0]["field"] == "company_name"

    refused = await agent.post_json(ACCOUNTS, account_body(company_name="Agent Co"))
    listed = (await agent.get(ACCOUNTS)).json()
    path = f"{ACCOUNTS}/{account['account_id']}"
    edited = await lead.request_json(
        "PUT", path, {**account_body(terms="late check-out"), "version_no": 1}
    )
    stale = await lead.request_json("PUT", path, {**account_body(), "version_no": 1})

    assert refused.status_code == 403
    assert [a["company_name"] for a in listed["accounts"]] == ["Acme Trading"]
    assert edited.status_code == 200 and edited.json()["terms"] == "late check-out"
    assert edited.json()["version_no"] == 2 and edited.json()["monthly_settlement"] is False
    assert stale.status_code == 409


async def test_in9_account_pages_for_the_team_lead(login_as, sessionmaker) -> None:
    lead = await login_as("lan", Role.TEAM_LEAD)
    agent = await login_as("ana", Role.AGENT)
    form = {**account_body(), "monthly_settlement": "on", "active": "on"}

    bad = await lead.post_form("/intake/groups/accounts", {**form, "credit_limit": "lots"})
    created = await lead.post_form("/intake/groups/accounts", {**form, "credit_limit": "50000"})

    assert bad.status_code == 422 and "Credit limit: enter an amount" in bad.text
    assert 'value="Acme Trading"' in bad.text
    assert created.status_code == 303, created.text
    page = await lead.page(created.headers["location"])
    assert "credit limit CN¥50,000.00" in page.text and "Save account" in page.text
    assert "Save account" not in (await agent.page(created.headers["location"])).text
    async with sessionmaker() as session:
        audited = await session.scalar(
            text("SELECT count(*) FROM intake.audit_log WHERE entity = 'group_account'")
        )
    assert audited == 1


# --- placing groups ------------------------------------------------------------------------


async def test_in9_typed_rooming_list_books_one_booking_per_room_type_at_once(
    login_as, sessionmaker
) -> None:
    hotel = await group_hotel(sessionmaker)
    lead = await login_as("lan", Role.TEAM_LEAD)
    account = await new_account(lead)
    check_in = clock.today() + timedelta(days=10)
    stay = {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
    }
    form = await lead.page(
        "/intake/groups/new", params={"city": "Beijing", "hotel_id": str(hotel.hotel_id), **stay}
    )
    assert form.status_code == 200 and 'name="plan_1"' in form.text
    assert "CN¥1,376.00" in form.text  # the king's two nights, shown before booking

    posted = await lead.post_form(
        "/intake/groups",
        {
            "account_id": account["account_id"], "hotel_id": str(hotel.hotel_id), **stay,
            "confirm_channel": "email", "special_requests": "One floor", "action": "place",
            "plan_1": str(hotel.king.rate_plan_id), "guests_1": "张伟, Li Lei",
            "plan_2": str(hotel.twin.rate_plan_id), "guests_2": "Han Meimei",
            "plan_3": str(hotel.king.rate_plan_id), "guests_3": "王芳",
            "plan_4": "", "guests_4": "",
        },
    )  # fmt: skip

    assert posted.status_code == 303, posted.text
    group = (await lead.get(GROUPS + "/" + posted.headers["location"].rsplit("/", 1)[1])).json()
    assert group["status"] == "placed" and len(group["rooms"]) == 3
    refs = {r["room_no"]: r["booking_ref"] for r in group["rooms"]}
    assert refs[1] == refs[3] != refs[2]
    king = (await lead.get(f"/intake/api/bookings/{refs[1]}")).json()
    assert king["rooms"] == 2 and king["guest_names"] == ["张伟", "Li Lei", "王芳"]
    assert king["booker_company"] == "Acme Trading" and king["payment_mode"] == "prepaid"
    assert (
        king["special_requests"]
        == f"Group {group['group_ref']} · Acme Trading, rooms 1, 3; One floor"
    )
    assert group["total_sell_minor"] == 2 * 2 * 68800 + 2 * 58800
    assert await sold(sessionmaker, hotel.king, check_in) == 2
    assert await sold(sessionmaker, hotel.twin, check_in) == 1
    assert (await written(sessionmaker))["placed_events"] == 2


async def test_in9_rooming_list_uploaded_as_csv_then_replaced_by_xlsx(
    login_as, sessionmaker
) -> None:
    hotel = await group_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    lead = await login_as("lan", Role.TEAM_LEAD)
    account = await new_account(lead)
    body = group_body(account, hotel, [])
    fields = {k: v for k, v in body.items() if k != "rooms"} | {"action": "draft"}
    sheet = csv_file([
        ["Room", "Rate plan", "Room type", "Guests"],
        ["1", PLAN, KING, "张伟; Li Lei"],
        ["2", PLAN, TWIN, ""],
        ["", "", "", ""],
        ["3", str(hotel.twin.rate_plan_id), "", "Han Meimei"],
    ])  # fmt: skip

    uploaded = await agent.http.post(
        "/intake/groups",
        data={**fields, "csrf_token": agent.csrf},
        files={"file": ("rooming.csv", sheet, "text/csv")},
        headers={"accept": "text/html"},
    )

    assert uploaded.status_code == 303, uploaded.text
    group_path = uploaded.headers["location"]
    draft = await agent.page(group_path)
    assert "names to follow" in draft.text and "1 room still without guest names" in draft.text
    assert "disabled" in draft.text  # no booking until the list is complete

    workbook = xlsx_file([
        ["rate_plan", "room_type", "guest_1", "guest_2"],
        [PLAN, KING, "张伟", "Li Lei"],
        [PLAN, TWIN, "赵敏", None],
    ])  # fmt: skip
    replaced = await agent.http.post(
        f"{group_path}/rooming",
        data={"csrf_token": agent.csrf},
        files={"file": ("rooming.xlsx", workbook, "application/octet-stream")},
        headers={"accept": "text/html"},
    )
    assert replaced.status_code == 303, replaced.text
    group_id = group_path.rsplit("/", 1)[1]
    group = (await agent.get(f"{GROUPS}/{group_id}")).json()
    assert [(r["room_type_name"], r["guest_names"]) for r in group["rooms"]] == [
        (KING, ["张伟", "Li Lei"]),
        (TWIN, ["赵敏"]),
    ]
    placed = await agent.post_form(f"{group_path}/place", {})
    assert placed.status_code == 303
    assert (await agent.get(f"{GROUPS}/{group_id}")).json()["status"] == "placed"
    assert (await written(sessionmaker))["bookings"] == 2


async def test_in9_a_bad_row_refuses_the_whole_list_with_the_report(login_as, sessionmaker) -> None:
    hotel = await group_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    body = group_body(account, hotel, [])
    fields = {k: v for k, v in body.items() if k != "rooms"} | {"action": "place"}
    sheet = csv_file([
        ["rate_plan", "room_type", "guests"],
        [PLAN, KING, "张伟"],
        ["Rack rate", KING, "Li Lei"],
        [PLAN, TWIN, "A, B, C, D, E"],
        [PLAN, "", "Han Meimei"],
    ])  # fmt: skip

    page = await agent.http.post(
        "/intake/groups",
        data={**fields, "csrf_token": agent.csrf},
        files={"file": ("rooming.csv", sheet, "text/csv")},
        headers={"accept": "text/html"},
    )
    api = await agent.post_json(
        GROUPS, group_body(account, hotel, [room(KING, "张伟"), room("Suite", "Li Lei")])
    )

    assert page.status_code == 422, page.text
    report = re.findall(
        r'<tr><td class="num">(\d+)</td><td>(\w+)</td><td>([^<]+)</td></tr>', page.text
    )
    assert [(row, field) for row, field, _ in report] == [
        ("3", "rate_plan"), ("4", "guests"), ("5", "room_type"),
    ]  # fmt: skip
    assert "no rate plan “Rack rate” for “Superior King”" in html.unescape(report[0][2])
    assert "at most 4 guests in a room, got 5" in report[1][2]
    assert api.status_code == 422
    assert api.json()["rows"] == [
        {"row": 2, "field": "rate_plan", "message": api.json()["rows"][0]["message"]}
    ]
    assert "“Suite”" in api.json()["rows"][0]["message"]
    assert await written(sessionmaker) == {
        "groups": 0, "rooms": 0, "bookings": 0, "placed_events": 0, "group_audit": 0,
    }  # fmt: skip


async def test_in9_all_rooms_or_none_when_one_room_type_is_full(login_as, sessionmaker) -> None:
    hotel = await group_hotel(sessionmaker, king_rooms=5, twin_rooms=1)
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    rooms = [room(KING, "A"), room(KING, "B"), room(TWIN, "C"), room(TWIN, "D")]
    draft = (await agent.post_json(GROUPS, group_body(account, hotel, rooms))).json()
    check_in = date.fromisoformat(draft["check_in"])

    refused = await agent.post_json(f"{GROUPS}/{draft['group_id']}/place", {})

    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"].startswith(f"Rooms 3, 4 ({TWIN} · {PLAN}): Sold out on")
    assert await sold(sessionmaker, hotel.king, check_in) == 0  # the king line was undone too
    assert await sold(sessionmaker, hotel.twin, check_in) == 0
    counts = await written(sessionmaker)
    assert (counts["bookings"], counts["placed_events"]) == (0, 0)
    kept = (await agent.get(f"{GROUPS}/{draft['group_id']}")).json()
    assert kept["status"] == "draft" and kept["last_refusal"].startswith("Rooms 3, 4")
    assert all(r["booking_ref"] is None for r in kept["rooms"])
    worklist = (await agent.get(GROUPS)).json()
    assert worklist["groups"][0]["last_refusal"].startswith("Rooms 3, 4")


async def test_in9_monthly_account_books_corporate_monthly_within_its_credit_limit(
    login_as, sessionmaker
) -> None:
    hotel = await group_hotel(sessionmaker, payment_mode="corporate_monthly")
    prepaid = await group_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    lead = await login_as("lan", Role.TEAM_LEAD)
    account = await new_account(lead, monthly_settlement=True, credit_limit_minor=300_000)

    first = await agent.post_json(
        GROUPS, group_body(account, hotel, [room(KING, "A"), room(TWIN, "B")], place=True)
    )
    over = await agent.post_json(GROUPS, group_body(account, hotel, [room(TWIN, "C")], place=True))
    wrong_plan = await agent.post_json(GROUPS, group_body(account, prepaid, [room(KING, "D")]))

    assert first.status_code == 201, first.text
    booking_ref = first.json()["rooms"][0]["booking_ref"]
    booking = (await agent.get(f"/intake/api/bookings/{booking_ref}")).json()
    assert booking["payment_mode"] == "corporate_monthly"
    assert over.status_code == 409 and over.json()["rule"] == "IN-9"
    assert "over its credit limit of CNY 3,000.00" in over.json()["detail"]
    assert wrong_plan.status_code == 422
    assert "sold as prepaid" in wrong_plan.json()["rows"][0]["message"]
    assert (await written(sessionmaker))["groups"] == 1


# --- the worklist --------------------------------------------------------------------------


async def _open_at(
    agent, account, hotel, at: datetime, *, check_in_days: int, names: bool, place: bool = False
) -> str:
    """Open a group as if at ``at`` (one king room, named or not); returns its reference."""
    clock.set_now(at)
    try:
        check_in = clock.today() + timedelta(days=check_in_days)
        stay = {
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=1)).isoformat(),
        }
        rooms = [room(KING, "A") if names else room(KING)]
        body = group_body(account, hotel, rooms, **stay, place=place)
        response = await agent.post_json(GROUPS, body)
        assert response.status_code == 201, response.text
        return str(response.json()["group_ref"])
    finally:
        clock.set_now(None)


async def test_in9_worklist_puts_yesterdays_unfinished_groups_first(login_as, sessionmaker) -> None:
    agent = await login_as("ana", Role.AGENT)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    now = datetime.now(UTC)
    clock.set_now(now - timedelta(days=2))
    hotel = await group_hotel(sessionmaker)
    clock.set_now(None)
    placed_yesterday = await _open_at(
        agent, account, hotel, now - timedelta(days=1), check_in_days=3, names=True, place=True
    )
    draft_yesterday = await _open_at(
        agent, account, hotel, now - timedelta(days=1), check_in_days=20, names=False
    )
    draft_today = await _open_at(agent, account, hotel, now, check_in_days=2, names=True)
    draft_before = await _open_at(
        agent, account, hotel, now - timedelta(days=2), check_in_days=30, names=True
    )

    open_list = (await agent.get(GROUPS)).json()
    unfinished = (await agent.get(GROUPS, params={"status": "unfinished"})).json()
    placed = (await agent.get(GROUPS, params={"status": "placed"})).json()
    page = await agent.page("/intake/groups")

    order = [g["group_ref"] for g in open_list["groups"]]
    assert order == [draft_before, draft_yesterday, draft_today, placed_yesterday]
    assert [g["carried_over"] for g in open_list["groups"]] == [True, True, False, False]
    assert [g["group_ref"] for g in unfinished["groups"]] == order[:3]
    assert [g["group_ref"] for g in placed["groups"]] == [placed_yesterday]
    assert open_list["groups"][1]["unnamed_rooms"] == 1
    positions = [page.text.index(ref) for ref in order]
    assert positions == sorted(positions) and page.text.count("carried over</span>") == 2
    bad = await agent.get(GROUPS, params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"


async def test_in9_worklist_pages_by_25_and_says_when_empty(login_as, sessionmaker) -> None:
    agent = await login_as("ana", Role.AGENT)
    empty = await agent.page("/intake/groups")
    assert "No open group bookings" in empty.text
    hotel = await group_hotel(sessionmaker)
    account = await new_account(await login_as("lan", Role.TEAM_LEAD))
    for n in range(26):
        response = await agent.post_json(GROUPS, group_body(account, hotel, [room(KING, f"G{n}")]))
        assert response.status_code == 201

    first = (await agent.get(GROUPS)).json()
    second = (await agent.get(GROUPS, params={"page": 2})).json()
    page = await agent.page("/intake/groups")

    assert (first["total"], first["pages"], len(first["groups"]), len(second["groups"])) == (
        26,
        2,
        25,
        1,
    )
    assert "Page 1 of 2" in page.text and 'page=2">Next' in page.text


async def test_in9_group_desk_roles(login_as, sessionmaker) -> None:
    hotel = await group_hotel(sessionmaker)
    lead = await login_as("lan", Role.TEAM_LEAD)
    desk = await login_as("cui", Role.CONFIRMATION_DESK)
    account = await new_account(lead)

    assert (await desk.get(GROUPS)).status_code == 403
    assert (await desk.page("/intake/groups/accounts")).status_code == 403
    refused = await desk.post_json(GROUPS, group_body(account, hotel, [room(KING, "A")]))
    by_lead = await lead.post_json(GROUPS, group_body(account, hotel, [room(KING, "A")]))

    assert refused.status_code == 403 and by_lead.status_code == 201
    assert (await written(sessionmaker))["groups"] == 1
    cancelled = await lead.post_json(f"{GROUPS}/{by_lead.json()['group_id']}/cancel", {})
    again = await lead.post_json(f"{GROUPS}/{by_lead.json()['group_id']}/place", {})
    assert cancelled.json()["status"] == "cancelled" and again.status_code == 409
    missing = await lead.post_json(f"{GROUPS}/{uuid.uuid4()}/place", {})
    assert missing.status_code == 404
