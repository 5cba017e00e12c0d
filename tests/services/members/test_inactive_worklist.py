"""CS-4: members with no actual stays are followed up (lost card? no use? a booking
problem?) to turn them active: the worklist of members with no stay in the period, listed
once, and the outcome of each call, refused with the field named when the input is bad."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from services.members.cards.inactive import refresh_job
from shared.auth import Role
from shared.clock import clock
from tests.services.members.cards_support import add_members, add_stay, member_row, scalar

NOW = datetime(2026, 9, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
LONG_AGO = TODAY - timedelta(days=400)
INACTIVE = "/members/inactive"


def listed(html: str) -> set[str]:
    body = html[html.index('<table class="inactive">') :]
    return {card for card in ("M1", "M2", "M3", "M4", "M5", "M6") if f'data-card="{card}00' in body}


async def _world(sessionmaker) -> dict[str, dict]:
    rows = {
        "recent": member_row("M100001", joined_on=LONG_AGO),  # stayed 30 days ago
        "old": member_row("M200001", joined_on=LONG_AGO),  # last stay 200 days ago
        "never": member_row("M300001", joined_on=LONG_AGO),  # never stayed
        "new": member_row("M400001", joined_on=TODAY - timedelta(days=20)),  # joined lately
        "noshow": member_row("M500001", joined_on=LONG_AGO),  # only a no-show lately
        "edge": member_row("M600001", joined_on=LONG_AGO),  # stayed exactly 180 days ago
    }
    await add_members(sessionmaker, list(rows.values()))
    await add_stay(sessionmaker, "M100001", TODAY - timedelta(days=30))
    await add_stay(sessionmaker, "M200001", TODAY - timedelta(days=200))
    await add_stay(sessionmaker, "M500001", TODAY - timedelta(days=10), outcome="no_show")
    await add_stay(sessionmaker, "M600001", TODAY - timedelta(days=180))
    return rows


async def test_cs4_members_without_a_stay_in_the_period_are_listed_once(
    login_as, sessionmaker
) -> None:
    """CS-4: stayed recently → not listed; stayed long ago, never stayed, only a no-show →
    listed; joined within the period → not listed; refreshing again (button or the 08:00
    job) lists nobody twice."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    await _world(sessionmaker)

    refreshed = await desk.post_form(f"{INACTIVE}/refresh", {})
    assert refreshed.status_code == 303 and refreshed.headers["location"].endswith("added=3")
    page = await desk.page(INACTIVE)
    assert page.status_code == 200
    assert listed(page.text) == {"M2", "M3", "M5"}
    assert str(TODAY - timedelta(days=200)) in page.text  # the last stay is shown
    assert "never (joined" in page.text

    assert (await desk.post_form(f"{INACTIVE}/refresh", {})).headers["location"].endswith("=0")
    assert await refresh_job({"sessionmaker": sessionmaker}) == 0
    assert await scalar(sessionmaker, "SELECT count(*) FROM members.inactive_followup") == 3


async def test_cs4_a_stay_under_the_members_former_card_counts(login_as, sessionmaker) -> None:
    """CS-4: the last stay is found under a card the member had before (CS-1 card change)."""
    clock.set_now(NOW)
    [row] = await add_members(sessionmaker, [member_row("M700002", joined_on=LONG_AGO)])
    await add_stay(sessionmaker, "M700001", TODAY - timedelta(days=5))
    assert await refresh_job({"sessionmaker": sessionmaker}) == 1
    async with sessionmaker() as session:
        await session.execute(
            text(
                "INSERT INTO members.card_change (member_id, old_card, new_card, changed_by,"
                " changed_at) VALUES (:m, 'M700001', 'M700002', 'mei', now())"
            ),
            {"m": row["member_id"]},
        )
        await session.execute(text("DELETE FROM members.inactive_followup"))
        await session.commit()
    assert await refresh_job({"sessionmaker": sessionmaker}) == 0


async def test_cs4_the_outcome_is_recorded_and_the_member_not_listed_again_in_the_period(
    login_as, sessionmaker
) -> None:
    """CS-4: a recorded outcome closes the item (audited); a lost card leads to the member's
    page; the member is not listed again until a whole period has passed."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    [row] = await add_members(sessionmaker, [member_row("M300001", joined_on=LONG_AGO)])
    await desk.post_form(f"{INACTIVE}/refresh", {})
    followup = await scalar(sessionmaker, "SELECT followup_id FROM members.inactive_followup")

    done = await desk.post_form(f"{INACTIVE}/{followup}", {"outcome": "lost_card", "note": ""})
    assert done.status_code == 303
    shown = await desk.page(done.headers["location"])
    assert f'href="/members/members/{row["member_id"]}"' in shown.text
    assert "Change the member" in shown.text and "card now" in shown.text
    assert listed(shown.text) == set()
    state = await scalar(
        sessionmaker,
        "SELECT status || ':' || outcome || ':' || done_by FROM members.inactive_followup",
    )
    assert state == "done:lost_card:mei"
    audited = "SELECT count(*) FROM members.audit_log WHERE action = 'inactive_followed_up'"
    assert await scalar(sessionmaker, audited) == 1
    again = await desk.post_form(f"{INACTIVE}/{followup}", {"outcome": "other"})
    assert again.status_code == 409

    clock.set_now(NOW + timedelta(days=179))
    assert await refresh_job({"sessionmaker": sessionmaker}) == 0
    clock.set_now(NOW + timedelta(days=181))
    assert await refresh_job({"sessionmaker": sessionmaker}) == 1


async def test_cs4_a_bad_outcome_is_refused_beside_the_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    """CS-4: an unknown outcome, a note over 500 characters, a booking problem without a
    note: 422, the page again with the error beside the field, the item still open."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    await add_members(sessionmaker, [member_row("M300001", joined_on=LONG_AGO)])
    await desk.post_form(f"{INACTIVE}/refresh", {})
    followup = await scalar(sessionmaker, "SELECT followup_id FROM members.inactive_followup")
    path = f"{INACTIVE}/{followup}"
    for data, field, said in [
        ({"outcome": "forgot"}, "outcome", "Choose one of the offered options."),
        ({"outcome": "other", "note": "x" * 501}, "note", "Use at most 500 characters"),
        ({"outcome": "booking_problem"}, "note", "Describe the booking problem in the note."),
    ]:
        refused = await desk.post_form(path, data)
        assert refused.status_code == 422, (data, refused.status_code)
        assert f'id="{field}-{followup}"' in refused.text
        assert f'id="{field}-{followup}-error">{said}' in refused.text, refused.text
    assert await scalar(sessionmaker, "SELECT status FROM members.inactive_followup") == "open"
    assert (await desk.post_form(f"{INACTIVE}/{followup.hex[:8]}", {})).status_code == 422


async def test_cs4_the_worklist_is_customer_service_work(login_as) -> None:
    """CS-4: an agent may not read the worklist or record an outcome."""
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.page(INACTIVE)).status_code == 403
    assert (await agent.post_form(f"{INACTIVE}/refresh", {})).status_code == 403
