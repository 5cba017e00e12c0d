"""IN-1 / IN-12 / SL-2: each booking records when handling started (the call's answer, bounded by
the server's record of the form's opening, else that opening) and its handle time; the team
lead's page shows each agent's bookings, average and p90 handle time, share over 5 minutes and
errors corrected. Issue 14: no time the browser sends can shorten a handle time."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import apply, seed_hotel
from tests.services.intake.helpers import booking_body, counts
from tests.support import complaint_events

API = "/intake/api/bookings"
FORMS = "/intake/api/booking-forms"
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
# A Wednesday, 11:00 in Beijing.
NOW = datetime.fromisoformat("2026-06-10T03:00:00+00:00")


@pytest.fixture(autouse=True)
def frozen_clock() -> None:
    clock.set_now(NOW)


async def _open_form(agent: Any, seeded: Any, days_ahead: int = 5, **call: str) -> dict[str, str]:
    """Open the booking form page (the telephony may add ``call_id``, ``call_answered_at``)."""
    check_in = clock.today() + timedelta(days=days_ahead)
    form = await agent.page(
        "/intake/book",
        params={
            "rate_plan_id": str(seeded.rate_plan_id),
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=1)).isoformat(),
            "rooms": "1",
            **call,
        },
    )
    assert form.status_code == 200, form.text
    hidden = {k: html.unescape(v) for k, v in HIDDEN.findall(form.text) if k != "csrf_token"}
    return {
        **hidden,
        "guest_names": "张伟",
        "booker_name": "王芳",
        "booker_phone": "13800138000",
        "payment_mode": "prepaid",
        "confirm_channel": "phone",
    }


async def _placed(agent: Any, response: Any) -> dict[str, Any]:
    assert response.status_code == 303, response.text
    ref = response.headers["location"].rsplit("/", 1)[1]
    return (await agent.get(f"{API}/{ref}")).json()  # type: ignore[no-any-return]


async def test_in1_handle_time_runs_from_the_forms_opening(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded)
    clock.advance(timedelta(seconds=250))

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    assert booking["handling_source"] == "form" and booking["handle_seconds"] == 250
    assert datetime.fromisoformat(booking["handling_started_at"]) == NOW
    assert datetime.fromisoformat(booking["committed_at"]) == NOW + timedelta(seconds=250)


async def test_in1_the_calls_answer_time_wins_over_the_form(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    answered = NOW - timedelta(seconds=40)  # the phone rang before the form was opened
    filled = await _open_form(
        agent, seeded, call_id="Q3-1187", call_answered_at=answered.isoformat()
    )
    clock.advance(timedelta(seconds=200))

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    assert booking["handling_source"] == "call" and booking["call_id"] == "Q3-1187"
    assert booking["handle_seconds"] == 240


async def test_in1_telephony_can_open_the_form_with_its_call(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    answered = (NOW - timedelta(seconds=15)).isoformat()

    hidden = await _open_form(agent, seeded, call_id="Q9-1", call_answered_at=answered)

    # The page carries the record's opaque id, never a time the browser could alter.
    assert hidden["call_id"] == "Q9-1" and uuid.UUID(hidden["form_id"])
    assert "call_answered_at" not in hidden and "form_opened_at" not in hidden
    record = await _form_record(sessionmaker, hidden["form_id"])
    assert (record["opened_at"], record["call_id"]) == (NOW, "Q9-1")
    assert record["call_answered_at"] == NOW - timedelta(seconds=15)
    assert record["used_at"] is None


async def _form_record(sessionmaker: Any, form_id: str) -> dict[str, Any]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text("SELECT * FROM intake.booking_form WHERE form_id = :id"),
                {"id": uuid.UUID(form_id)},
            )
        ).one()
    return dict(row._mapping)


async def _api_form(agent: Any, **call: Any) -> dict[str, Any]:
    response = await agent.post_json(FORMS, call)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_in1_without_any_start_the_handle_time_is_unknown(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, booking_body(seeded, clock.today() + timedelta(days=2)))
    assert response.status_code == 201
    assert response.json()["handle_seconds"] is None
    assert response.json()["handling_started_at"] is None


def _call(seconds_ago: float, call_id: str | None = "Q1-1") -> dict[str, Any]:
    answered = clock.now() - timedelta(seconds=seconds_ago)
    return {"call_id": call_id, "call_answered_at": answered.isoformat()}


# A booking sent without its form's record cannot claim a start; a made-up form id is refused.
REFUSED_STARTS = {
    "answer_time_without_form": ("form_id", _call(30)),
    "answered_in_the_future_without_form": ("form_id", _call(-300)),
    "call_id_without_form": ("form_id", {"call_id": "Q1-1"}),
    "answer_time_without_call_id_or_form": ("form_id", _call(30, call_id=None)),
    "form_id_made_up": ("form_id", {"form_id": "6f1c1f43-6a55-4b8e-9a57-6d6a8a1f0c2e"}),
    "form_id_garbled": ("form_id", {"form_id": "yesterday"}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED_STARTS))
async def test_in1_a_start_that_cannot_be_true_is_422_and_writes_nothing(
    case: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    field, start = REFUSED_STARTS[case]
    body = booking_body(seeded, clock.today() + timedelta(days=2), **start)

    response = await agent.post_json(API, body)

    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in1_a_telephony_clock_a_little_ahead_counts_from_the_opening(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    form = await _api_form(agent, **_call(-30))
    assert form["handling_started_at"] == form["opened_at"] and form["handling_source"] == "call"
    clock.advance(timedelta(seconds=70))

    body = booking_body(seeded, clock.today() + timedelta(days=2), form_id=form["form_id"])
    response = await agent.post_json(API, body)

    assert response.status_code == 201, response.text
    assert response.json()["handle_seconds"] == 70 and response.json()["call_id"] == "Q1-1"


async def test_in1_a_form_left_open_over_12_hours_is_refused(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded)
    clock.advance(timedelta(hours=12, seconds=1))

    refused = await agent.post_form("/intake/bookings", filled)

    assert refused.status_code == 422
    assert "more than 12 hours ago" in refused.text
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in1_a_form_opened_by_another_agent_is_refused(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    ana = await login_as("ana", Role.AGENT)
    bo = await login_as("bo", Role.AGENT)
    filled = await _open_form(bo, seeded)

    refused = await ana.post_form("/intake/bookings", filled)

    assert refused.status_code == 422 and "not opened by you" in refused.text
    assert (await counts(sessionmaker))["bookings"] == 0


# --- issue 14: forged starts -----------------------------------------------------------------


def _old_signed_opening(agent: Any, username: str, at: datetime) -> str:
    """The forgery of issue 14: the old ``form_opened_at`` was signed with the CSRF token every
    page shows, so an agent could sign any opening time they liked."""
    message = f"form_opened_at|{username}|{at.isoformat()}".encode()
    signature = hmac.new(agent.csrf.encode(), message, hashlib.sha256).hexdigest()[:32]
    return f"{at.isoformat()}~{signature}"


async def _booked_event(sessionmaker: Any) -> dict[str, Any]:
    async with sessionmaker() as session:
        payload = await session.scalar(
            text("SELECT payload FROM intake.outbox WHERE name = 'intake.booking_placed'")
        )
    return payload  # type: ignore[no-any-return]


async def test_issue14_an_altered_opening_time_does_not_shorten_the_handle_time(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded)
    clock.advance(timedelta(seconds=250))
    late = clock.now() - timedelta(seconds=5)
    filled["form_opened_at"] = _old_signed_opening(agent, "ana", late)
    filled["call_answered_at"] = late.isoformat()  # and a made-up call answered 5 s ago

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    assert booking["handling_source"] == "form" and booking["handle_seconds"] == 250
    assert datetime.fromisoformat(booking["handling_started_at"]) == NOW
    assert (await _booked_event(sessionmaker))["handle_seconds"] == 250  # what SL-2 sees


@pytest.mark.parametrize("form_id", ["", "6f1c1f43-6a55-4b8e-9a57-6d6a8a1f0c2e", "~forged"])
async def test_issue14_a_page_post_with_a_made_up_or_no_form_id_is_refused(
    form_id: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded)
    clock.advance(timedelta(seconds=250))

    refused = await agent.post_form("/intake/bookings", filled | {"form_id": form_id})

    assert refused.status_code == 422
    assert "open it again from the search" in html.unescape(refused.text)
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_issue14_a_posted_answer_time_is_not_read(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    answered = NOW - timedelta(seconds=40)
    filled = await _open_form(agent, seeded, call_id="Q5-1", call_answered_at=answered.isoformat())
    clock.advance(timedelta(seconds=200))
    filled["call_answered_at"] = (clock.now() - timedelta(seconds=5)).isoformat()

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    assert booking["handling_source"] == "call" and booking["handle_seconds"] == 240


async def test_issue14_a_form_for_another_call_is_refused(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded, call_id="Q5-1", call_answered_at=NOW.isoformat())

    refused = await agent.post_form("/intake/bookings", filled | {"call_id": "Q5-2"})

    assert refused.status_code == 422 and "opened for call Q5-1" in refused.text
    assert (await counts(sessionmaker))["bookings"] == 0


REFUSED_OPENINGS = {
    "answer_time_without_call_id": ("call_id", {"call_answered_at": NOW.isoformat()}),
    "answer_time_without_offset": (
        "call_answered_at", {"call_id": "Q1-1", "call_answered_at": "2026-06-10T10:59:00"},
    ),
    "answer_time_at_the_calendars_edge": (
        "call_answered_at", {"call_id": "Q1-1", "call_answered_at": "0001-01-01T00:00:00+08:00"},
    ),
    "call_id_too_long": ("call_id", {"call_id": "Q" * 65}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED_OPENINGS))
async def test_issue14_an_api_opening_that_cannot_be_true_is_422(
    case: str, login_as, sessionmaker
) -> None:
    agent = await login_as("ana", Role.AGENT)
    field, body = REFUSED_OPENINGS[case]

    response = await agent.post_json(FORMS, body)

    assert response.status_code == 422, response.text
    assert field in [f["field"].rsplit(".", 1)[-1] for f in response.json()["fields"]]


# The answer time the telephony (or anyone editing the address) gives at the opening, and what
# the record keeps: not after the opening, not more than 2 hours before it.
BOUNDED_ANSWERS = {
    "in_the_future": (timedelta(hours=1), timedelta(0)),
    "just_after_the_opening": (timedelta(seconds=1), timedelta(0)),
    "hours_before_the_opening": (-timedelta(hours=5), -timedelta(hours=2)),
    "without_its_utc_offset": ("2026-06-10T10:59:00", timedelta(0)),
    "at_the_calendars_edge": ("0001-01-01T00:00:00+08:00", timedelta(0)),
    "unreadable": ("just now", timedelta(0)),
}


@pytest.mark.parametrize("case", list(BOUNDED_ANSWERS))
async def test_issue14_a_forged_answer_time_is_bounded_by_the_opening(
    case: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    claimed, kept = BOUNDED_ANSWERS[case]
    given = claimed if isinstance(claimed, str) else (NOW + claimed).isoformat()
    filled = await _open_form(agent, seeded, call_id="Q6-1", call_answered_at=given)
    clock.advance(timedelta(seconds=180))

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    started = NOW + kept  # the server-derived time, never the claimed one
    assert datetime.fromisoformat(booking["handling_started_at"]) == started
    assert booking["handle_seconds"] == 180 - int(kept.total_seconds()) >= 180
    record = await _form_record(sessionmaker, filled["form_id"])
    assert record["call_answered_at"] == started and record["used_at"] == clock.now()
    assert (await _booked_event(sessionmaker))["handle_seconds"] == booking["handle_seconds"]


async def test_issue14_forged_answer_times_do_not_improve_the_team_figures(
    login_as, sessionmaker
) -> None:
    """Through the API too: a future answer time counts from the opening, one hours back is
    held to 2 hours; neither drops the booking from the averages nor shortens it."""
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    future = await _api_form(agent, **_call(-3600, call_id="Q8-1"))
    ancient = await _api_form(agent, **_call(5 * 3600, call_id="Q8-2"))
    assert future["handling_started_at"] == future["opened_at"]
    assert datetime.fromisoformat(ancient["handling_started_at"]) == NOW - timedelta(hours=2)
    clock.advance(timedelta(seconds=400))
    for n, form in enumerate((future, ancient)):
        body = booking_body(seeded, clock.today() + timedelta(days=3 + n), form_id=form["form_id"])
        assert (await agent.post_json(API, body)).status_code == 201
    lead = await login_as("lena", Role.TEAM_LEAD)

    record = (await lead.get("/intake/api/team", params={"period": "day"})).json()

    (ana,) = record["agents"]
    assert (ana["bookings"], ana["timed"], ana["over_five_minutes"]) == (2, 2, 2)
    assert ana["average_seconds"] == pytest.approx((400 + 400 + 7200) / 2)


async def test_issue14_opening_the_form_again_for_the_call_keeps_its_clock(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    answered = (NOW - timedelta(seconds=30)).isoformat()
    await _open_form(agent, seeded, call_id="Q7-1", call_answered_at=answered)
    clock.advance(timedelta(seconds=200))
    # Reopened just before placing, claiming the call was only now answered.
    filled = await _open_form(
        agent, seeded, call_id="Q7-1", call_answered_at=clock.now().isoformat()
    )
    clock.advance(timedelta(seconds=10))

    booking = await _placed(agent, await agent.post_form("/intake/bookings", filled))

    assert booking["handle_seconds"] == 240


async def test_issue14_a_form_is_used_once_and_a_refusal_keeps_it(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    filled = await _open_form(agent, seeded)
    clock.advance(timedelta(seconds=100))
    refused = await agent.post_form("/intake/bookings", filled | {"payment_mode": "barter"})
    assert refused.status_code == 422
    clock.advance(timedelta(seconds=100))

    first = await agent.post_form("/intake/bookings", filled)
    again = await agent.post_form("/intake/bookings", filled)  # a double click: same booking
    other = await agent.post_form(
        "/intake/bookings", filled | {"idempotency_key": str(uuid.uuid4())}
    )

    assert (await _placed(agent, first))["handle_seconds"] == 200
    assert again.headers["location"] == first.headers["location"]
    assert other.status_code == 422 and "already used" in other.text
    assert (await counts(sessionmaker))["bookings"] == 1


# --- the team lead's page (IN-12) -----------------------------------------------------------


async def _book_with_handle(agent: Any, seeded: Any, seconds: int | None, n: int) -> str:
    start = {}
    if seconds is not None:
        start = {"form_id": (await _api_form(agent, **_call(seconds, call_id=f"Q-{n}")))["form_id"]}
    body = booking_body(seeded, clock.today() + timedelta(days=3 + n), nights=1, **start)
    response = await agent.post_json(API, body)
    assert response.status_code == 201, response.text
    return str(response.json()["booking_id"])


async def _seed_two_agents(login_as: Any, sessionmaker: Any) -> dict[str, list[str]]:
    """ana: 120, 240, 400 s today and 1000 s yesterday; bo: 310, 90 s and one unknown today."""
    seeded = await seed_hotel(sessionmaker, rooms=5)
    ana, bo = await login_as("ana", Role.AGENT), await login_as("bo", Role.AGENT)
    clock.set_now(NOW - timedelta(days=1))
    ids = {"ana": [await _book_with_handle(ana, seeded, 1000, 0)], "bo": []}
    clock.set_now(NOW)
    for n, seconds in enumerate((120, 240, 400), start=1):
        ids["ana"].append(await _book_with_handle(ana, seeded, seconds, n))
    for n, maybe in enumerate((310, 90, None), start=4):
        ids["bo"].append(await _book_with_handle(bo, seeded, maybe, n))
    return ids


async def test_in12_team_record_per_agent_for_a_day_computed_by_hand(
    login_as, sessionmaker
) -> None:
    await _seed_two_agents(login_as, sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)

    response = await lead.get("/intake/api/team", params={"period": "day"})

    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["first_day"], record["last_day"]) == ("2026-06-10", "2026-06-10")
    ana, bo = record["agents"]
    # ana: (120 + 240 + 400) / 3; nearest-rank p90 of 3 values is the 3rd; 400 > 300.
    assert (ana["agent_username"], ana["bookings"], ana["timed"]) == ("ana", 3, 3)
    assert ana["average_seconds"] == pytest.approx(760 / 3)
    assert ana["p90_seconds"] == 400 and ana["over_five_minutes"] == 1
    assert ana["share_over_five_minutes"] == pytest.approx(1 / 3)
    # bo: the booking with no known start counts as a booking, not in the times.
    assert (bo["agent_username"], bo["bookings"], bo["timed"]) == ("bo", 3, 2)
    assert bo["average_seconds"] == pytest.approx(200.0)
    assert bo["p90_seconds"] == 310 and bo["share_over_five_minutes"] == pytest.approx(0.5)
    desk = record["desk"]
    assert (desk["bookings"], desk["timed"], desk["p90_seconds"]) == (6, 5, 400)
    assert desk["average_seconds"] == pytest.approx(232.0) and record["total"] == 2
    assert ana["complaints"] == bo["complaints"] == 0


async def test_in12_the_week_takes_in_yesterday(login_as, sessionmaker) -> None:
    await _seed_two_agents(login_as, sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)

    record = (await lead.get("/intake/api/team", params={"period": "week"})).json()

    assert (record["first_day"], record["last_day"]) == ("2026-06-08", "2026-06-14")
    ana = record["agents"][0]
    assert ana["bookings"] == 4 and ana["average_seconds"] == pytest.approx(440.0)
    assert ana["p90_seconds"] == 1000 and ana["share_over_five_minutes"] == pytest.approx(0.5)


async def test_in12_errors_corrected_count_agent_error_changes(login_as, sessionmaker) -> None:
    ids = await _seed_two_agents(login_as, sessionmaker)
    async with sessionmaker() as session, session.begin():
        changes = [(ids["ana"][1], "agent_error"), (ids["ana"][1], "agent_error")]
        changes += [(ids["ana"][2], "agent_error"), (ids["bo"][0], "guest_request")]
        for booking_id, category in changes:
            await session.execute(
                text(
                    "INSERT INTO intake.booking_change (change_id, booking_id, booking_version,"
                    " kind, reason, reason_category, changed_by, changed_at, before, after)"
                    " VALUES (:id, :booking, (SELECT count(*) + 2 FROM intake.booking_change"
                    " WHERE booking_id = :booking), 'modify', 'typo', :category, 'lena', now(),"
                    " '{}', '{}')"
                ),
                {"id": uuid.uuid4(), "booking": uuid.UUID(booking_id), "category": category},
            )
    lead = await login_as("lena", Role.TEAM_LEAD)

    record = (await lead.get("/intake/api/team", params={"period": "day"})).json()

    # Two of ana's bookings were corrected for her error (one of them twice); bo's change
    # was the guest's wish.
    assert [a["errors_corrected"] for a in record["agents"]] == [2, 0]
    assert record["desk"]["errors_corrected"] == 2


async def test_in12_team_page_shows_the_numbers_and_the_chart(login_as, sessionmaker) -> None:
    await _seed_two_agents(login_as, sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)

    page = await lead.page("/intake/team", params={"period": "day", "day": "2026-06-10"})

    assert page.status_code == 200
    # Issue 15: the agent by the name she logs in under ("Ana"), her username in the title.
    row = re.search(r'<tr data-agent="ana"><td title="ana">Ana</td>(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    assert cells == ["3", "3", "4:13", "6:40", "33% (1)", "0", "0"]
    assert "handle-time-chart" in page.text and "chart.umd.min.js" in page.text
    assert "complaints about the agent's bookings, received in the period" in page.text


async def test_in12_complaints_count_members_complaints_about_the_agents_bookings(
    login_as, sessionmaker
) -> None:
    """A member's complaint routed by customer service reaches intake as a memo naming the
    booking (``members.complaint_routed`` through intake's real handler); it counts against the
    agent who took that booking, in the period it arrived."""
    ids = await _seed_two_agents(login_as, sessionmaker)
    async with sessionmaker() as session:
        refs = {
            str(row.booking_id): row.booking_ref
            for row in await session.execute(
                text("SELECT booking_id, booking_ref FROM intake.booking")
            )
        }
    for booking_id in (ids["ana"][1], ids["ana"][2]):
        complaint = complaint_events.routed(NOW, booking_ref=refs[booking_id])
        assert await apply(sessionmaker, complaint_events.routed_envelope(complaint)) == "handled"
    clock.set_now(NOW - timedelta(days=8))  # one about bo's booking arrived last week
    earlier = complaint_events.routed(clock.now(), booking_ref=refs[ids["bo"][0]])
    await apply(sessionmaker, complaint_events.routed_envelope(earlier))
    clock.set_now(NOW)
    lead = await login_as("lena", Role.TEAM_LEAD)

    record = (await lead.get("/intake/api/team", params={"period": "day"})).json()

    assert [a["complaints"] for a in record["agents"]] == [2, 0]
    assert record["desk"]["complaints"] == 2


async def test_issue15_team_chart_has_every_agent_on_every_day(login_as, sessionmaker) -> None:
    """The week of 2026-06-08: ana booked on Tuesday (1000 s) and Wednesday (120, 240, 400 s:
    760/3 s); bo on Wednesday (310, 90 s: 200 s). Every day of the week is on the chart's
    axis, each agent a series by name, a day without bookings empty (not missing)."""
    await _seed_two_agents(login_as, sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)

    record = (await lead.get("/intake/api/team", params={"period": "week"})).json()
    assert record["names"] == {"ana": "Ana", "bo": "Bo"}
    assert len(record["days"]) == 7 and record["days"][0] == "2026-06-08"
    per_day = {(d["agent_username"], d["day"]): d for d in record["per_day"]}
    assert per_day[("ana", "2026-06-09")]["average_seconds"] == pytest.approx(1000)
    assert per_day[("ana", "2026-06-10")]["bookings"] == 3
    assert per_day[("bo", "2026-06-10")]["average_seconds"] == pytest.approx(200)

    page = await lead.page("/intake/team", params={"period": "week", "day": "2026-06-10"})
    data = re.search(r'id="handle-time-data">(.*?)</script>', page.text, re.S)
    assert data, page.text
    chart = json.loads(html.unescape(data.group(1)))
    assert len(chart["labels"]) == 7
    ana, bo = chart["agents"]
    assert ana["name"] == "Ana" and bo["name"] == "Bo"
    assert ana["average_seconds"][:3] == [None, pytest.approx(1000), pytest.approx(760 / 3)]
    assert bo["average_seconds"] == [None, None, pytest.approx(200), None, None, None, None]


async def test_in12_empty_period_says_so(login_as) -> None:
    lead = await login_as("lena", Role.TEAM_LEAD)
    page = await lead.page("/intake/team", params={"period": "month", "day": "2026-01-15"})
    assert page.status_code == 200 and "No bookings from 2026-01-01 to 2026-01-31." in page.text


async def test_in12_bad_period_or_day_is_refused_naming_it(login_as) -> None:
    lead = await login_as("lena", Role.TEAM_LEAD)
    api = await lead.get("/intake/api/team", params={"period": "year"})
    page = await lead.page("/intake/team", params={"period": "week", "day": "31/12"})
    assert api.status_code == 422 and api.json()["fields"][0]["field"] == "period"
    assert page.status_code == 422 and "Day: enter a date like" in page.text


@pytest.mark.parametrize("role", [Role.AGENT, Role.CONFIRMATION_DESK, Role.HOTEL_RESOURCES])
async def test_in12_only_team_leads_and_admins_see_the_record(login_as, role: Role) -> None:
    other = await login_as("someone", role)
    admin = await login_as("root", Role.ADMIN)
    assert (await other.get("/intake/api/team")).status_code == 403
    assert (await other.page("/intake/team")).status_code == 403
    assert (await admin.get("/intake/api/team")).status_code == 200
