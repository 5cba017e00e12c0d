"""Staffing by Erlang C (SL-1), telephony agents named as staff, and a history with every day
(issue 15).

Erlang C by hand: traffic A = calls × AHT ÷ 1800 s; with N agents the chance to wait is
C(N, A) = (Aᴺ/N! · N/(N−A)) ÷ (Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N! · N/(N−A)), and the share answered within
t = 15 s (three rings of 1 s on + 4 s off) is SL = 1 − C(N, A) · e^(−(N−A)·t/AHT).

- 4 calls, AHT 180 s: A = 0.4. N = 1: C = 0.4, SL = 1 − 0.4·e^(−0.05) = 0.61951 < 80%;
  N = 2: C = 1/15 = 0.066667, SL = 1 − 0.066667·e^(−0.13333) = 0.94166: 2 agents.
- 30 calls, AHT 240 s: A = 4. N = 6: C = 0.28476, SL = 0.74870; N = 7: C = 0.13511,
  SL = 1 − 0.13511·e^(−0.1875) = 0.88799: 7 agents.
- 60 calls, AHT 180 s: A = 6. N = 8: SL = 0.69782; N = 9: C = 0.19598, SL = 0.84737: 9 agents.

The day (Wednesday 2026-11-18 in Beijing, "now" 20:00): PJSIP/801 logs in at 08:50 and off at
10:30; Local/802@from-queue/n joins the queue at 08:50, pauses 09:45-10:00, leaves at 11:00.
09:00-09:30: 4 calls of 180 s, 2 agents on duty the whole half hour. 09:30-10:00: 30 calls of
240 s, on duty 801 for 1800 s + 802 for 900 s = 1.5 agents: short of 7.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from services.metrics.agent_names import extension_of
from services.metrics.staffing.erlang import agents_needed, service_level
from shared.auth import Role
from shared.clock import clock
from tests.services.metrics.test_dashboard import ingest

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # 20:00 in Beijing
MIDNIGHT = int(datetime(2026, 11, 17, 16, 0, tzinfo=UTC).timestamp())  # 00:00 in Beijing


def at(hour: int, minute: int = 0) -> int:
    return MIDNIGHT + hour * 3600 + minute * 60


def day_log() -> list[str]:
    lines = [
        f"{at(8, 50)}|NONE|NONE|PJSIP/801|AGENTLOGIN|PJSIP/801",
        f"{at(8, 50)}|NONE|sales|Local/802@from-queue/n|ADDMEMBER|",
    ]
    calls = [(at(9, 5 * i), f"a{i}", 180) for i in range(4)]
    calls += [(at(9, 30 + i), f"b{i}", 240) for i in range(30)]
    for entered, call_id, talk in calls:
        agent = "PJSIP/801" if call_id[-1] in "02468" else "Local/802@from-queue/n"
        lines += [
            f"{entered}|{call_id}|sales|NONE|ENTERQUEUE||13800001111|1",
            f"{entered + 5}|{call_id}|sales|{agent}|CONNECT|5|{call_id}b|5",
            f"{entered + 5 + talk}|{call_id}|sales|{agent}|COMPLETECALLER|5|{talk}|1",
        ]
    lines += [
        f"{at(9, 45)}|NONE|sales|Local/802@from-queue/n|PAUSE|lunch",
        f"{at(10)}|NONE|sales|Local/802@from-queue/n|UNPAUSE|",
        f"{at(10, 30)}|NONE|NONE|PJSIP/801|AGENTLOGOFF|PJSIP/801|6000",
        f"{at(11)}|NONE|sales|Local/802@from-queue/n|REMOVEMEMBER|",
    ]
    return sorted(lines, key=lambda line: int(line.split("|")[0]))


@pytest.fixture
async def logged_day(tmp_path: Path, sessionmaker) -> None:
    clock.set_now(NOW)
    await ingest(tmp_path, sessionmaker, day_log())


# --- Erlang C figures against the hand computation above ------------------------------------


@pytest.mark.parametrize(
    ("calls", "aht", "needed", "level"),
    [(4, 180, 2, 0.94166), (30, 240, 7, 0.88799), (60, 180, 9, 0.84737)],
)
def test_sl1_agents_needed_match_erlang_c_by_hand(
    calls: int, aht: int, needed: int, level: float
) -> None:
    need = agents_needed(
        calls=calls, handle_seconds=aht, interval_seconds=1800, within=15, target=0.8
    )
    assert need.agents == needed
    assert need.service_level == pytest.approx(level, abs=1e-5)
    assert need.intensity == pytest.approx(calls * aht / 1800)
    # One agent fewer misses the target: the need is the fewest, not merely enough.
    fewer = service_level(
        needed - 1, calls=calls, handle_seconds=aht, interval_seconds=1800, within=15
    )
    assert fewer < 0.8


def test_sl1_one_agent_fewer_by_hand() -> None:
    """A = 0.4, N = 1: 1 − 0.4·e^(−0.05) = 0.61951; A = 4, N = 6: 0.74870."""
    one = service_level(1, calls=4, handle_seconds=180, interval_seconds=1800, within=15)
    six = service_level(6, calls=30, handle_seconds=240, interval_seconds=1800, within=15)
    assert one == pytest.approx(0.61951, abs=1e-5)
    assert six == pytest.approx(0.74870, abs=1e-5)


def test_sl1_staffing_edges() -> None:
    """No calls: 0 needed. Agents ≤ traffic: the queue only grows, service level 0. Beyond the
    cap: capped, no figure. No talk measured: no figure rather than a guess."""
    none = agents_needed(calls=0, handle_seconds=None, interval_seconds=1800, within=15, target=0.8)
    assert (none.agents, none.intensity, none.capped) == (0, 0.0, False)
    for agents in (3, 4):  # A = 4: 3 and 4 agents cannot carry it
        assert (
            service_level(agents, calls=30, handle_seconds=240, interval_seconds=1800, within=15)
            == 0.0
        )
    assert service_level(0, calls=0, handle_seconds=240, interval_seconds=1800, within=15) == 1.0
    huge = agents_needed(
        calls=10_000, handle_seconds=600, interval_seconds=1800, within=15, target=0.8
    )
    assert huge.capped and huge.agents == 200 and huge.service_level is None
    small_cap = agents_needed(
        calls=30, handle_seconds=240, interval_seconds=1800, within=15, target=0.8, max_agents=6
    )
    assert small_cap.capped  # 7 needed, 6 allowed
    unknown = agents_needed(
        calls=5, handle_seconds=None, interval_seconds=1800, within=15, target=0.8
    )
    assert unknown.agents is None and not unknown.capped


def test_extensions_of_every_spelling() -> None:
    assert extension_of("PJSIP/801") == "801"
    assert extension_of("SIP/801") == "801"
    assert extension_of("Local/801@from-queue/n") == "801"
    assert extension_of("Agent/801") == "801"
    assert extension_of("Li Wei") == "Li Wei"


# --- the day's staffing from a stored queue_log -----------------------------------------------


async def test_sl1_staffing_per_half_hour_from_the_log(logged_day, login_as) -> None:
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    body = (await manager.get("/sla/api/staffing?day=2026-11-18")).json()
    assert body["threshold_seconds"] == 15 and body["target"] == 0.8
    halves = {row["starts_at"][11:16]: row for row in body["half_hours"]}
    assert len(halves) == 48  # every half hour of the day, quiet ones too
    nine, half_nine, ten, half_ten = (
        halves["09:00"],
        halves["09:30"],
        halves["10:00"],
        halves["10:30"],
    )
    assert (nine["calls"], nine["average_handle_seconds"], nine["agents_needed"]) == (4, 180, 2)
    assert nine["agents_on_duty"] == pytest.approx(2.0)
    assert nine["expected_service_level"] == pytest.approx(0.94166, abs=1e-5)
    assert (half_nine["calls"], half_nine["agents_needed"]) == (30, 7)
    assert half_nine["intensity"] == pytest.approx(4.0)
    assert half_nine["agents_on_duty"] == pytest.approx(1.5)
    assert half_nine["expected_service_level"] == 0.0  # 1 whole agent for 4 Erlangs
    assert (ten["calls"], ten["agents_needed"], ten["agents_on_duty"]) == (0, 0, 2.0)
    assert half_ten["agents_on_duty"] == pytest.approx(1.0)  # 801 logged off at 10:30
    assert halves["08:30"]["agents_on_duty"] == pytest.approx(20 * 60 / 1800)
    assert halves["12:00"] == {**halves["12:00"], "calls": 0, "agents_needed": 0, "agents": []}
    page = await manager.page("/sla/history?interval=day&from=2026-11-18&to=2026-11-18")
    assert page.status_code == 200
    assert 'id="staffing"' in page.text and "staffing-chart.js" in page.text
    assert 'data-half-hour="09:30" class="short"' in page.text


async def test_sl1_the_half_hour_under_way_counts_its_elapsed_part(
    tmp_path: Path, sessionmaker, login_as
) -> None:
    """At 09:45 the log holds b0…b15: b15 is still waiting (no figure), 15 calls answered in
    900 s, b0…b10 finished with 240 s of talk: A = 15 × 240 ÷ 900 = 4 Erlangs, 7 agents, as
    for the whole half hour. On duty: 801 and 802 for all 900 s elapsed = 2.0, not 1.0."""
    clock.set_now(datetime.fromtimestamp(at(9, 45), UTC))
    await ingest(
        tmp_path, sessionmaker, [ln for ln in day_log() if int(ln.split("|")[0]) <= at(9, 45)]
    )
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    body = (await manager.get("/sla/api/staffing?day=2026-11-18")).json()
    halves = {row["starts_at"][11:16]: row for row in body["half_hours"]}
    now = halves["09:30"]
    assert (now["calls"], now["average_handle_seconds"]) == (15, 240)
    assert now["intensity"] == pytest.approx(4.0) and now["agents_needed"] == 7
    assert now["agents_on_duty"] == pytest.approx(2.0)
    assert halves["10:00"]["agents_on_duty"] == 0 and halves["10:00"]["calls"] == 0


async def test_history_shows_every_day_of_the_week(logged_day, login_as) -> None:
    """Issue 15: calls only on Wednesday; the week's other days are zeros, not missing."""
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    body = (await manager.get("/sla/api/history?interval=day&from=2026-11-16&to=2026-11-22")).json()
    totals = [
        (r["starts_at"][:10], r["offered"]) for r in body["rows"] if r["queue"] == "All queues"
    ]
    assert totals == [
        ("2026-11-16", 0),
        ("2026-11-17", 0),
        ("2026-11-18", 34),
        ("2026-11-19", 0),
        ("2026-11-20", 0),
        ("2026-11-21", 0),
        ("2026-11-22", 0),
    ]
    month = (
        await manager.get("/sla/api/history?interval=week&from=2026-11-01&to=2026-11-30")
    ).json()
    weeks = [r["starts_at"][:10] for r in month["rows"] if r["queue"] == "All queues"]
    assert weeks == [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
        "2026-11-30",
    ]


# --- the admin names the people behind the extensions ------------------------------------------


async def test_admin_maps_an_extension_and_pages_show_the_name(
    logged_day, login_as, sessionmaker
) -> None:
    admin = await login_as("root", Role.ADMIN)
    page = await admin.page("/sla/admin/agents")
    assert page.status_code == 200
    assert 'data-extension="801"' in page.text and 'data-extension="802"' in page.text
    assert "PJSIP/801" in page.text and "Local/802@from-queue/n" in page.text
    saved = await admin.post_form(
        "/sla/admin/agents",
        {"extension": "801", "staff_username": "li.wei", "display_name": "李伟"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    agents = {a["extension"]: a for a in (await admin.get("/sla/api/admin/agents")).json()}
    assert (agents["801"]["staff_username"], agents["801"]["display_name"]) == ("li.wei", "李伟")
    assert agents["802"]["staff_username"] == ""
    async with sessionmaker() as session:
        audit = (
            await session.execute(
                text(
                    "SELECT actor, entity_id, after FROM metrics.audit_log"
                    " WHERE action = 'agent_mapped'"
                )
            )
        ).one()
    assert (audit.actor, audit.entity_id) == ("root", "801")
    assert audit.after == {"staff_username": "li.wei", "display_name": "李伟"}

    manager = await login_as("gm", Role.GENERAL_MANAGER)
    staffing = (await manager.get("/sla/api/staffing?day=2026-11-18")).json()
    nine = next(r for r in staffing["half_hours"] if r["starts_at"][11:16] == "09:00")
    assert nine["agents"] == [
        {"name": "李伟", "extension": "801", "mapped": True},
        {"name": "802", "extension": "802", "mapped": False},
    ]
    history = await manager.page("/sla/history?interval=day&from=2026-11-18&to=2026-11-18")
    assert "李伟" in history.text and "PJSIP/801" not in history.text
    assert "unmapped" in history.text  # 802 is still only an extension

    # Both fields blank: unmapped again, and audited.
    await admin.post_form(
        "/sla/admin/agents", {"extension": "801", "staff_username": "", "display_name": ""}
    )
    agents = {a["extension"]: a for a in (await admin.get("/sla/api/admin/agents")).json()}
    assert agents["801"]["staff_username"] == ""

    # A username picked without a name takes the name the person logs in under ("Gm").
    assert 'option value="gm"' in (await admin.page("/sla/admin/agents")).text
    await admin.post_form("/sla/admin/agents", {"extension": "802", "staff_username": "gm"})
    agents = {a["extension"]: a for a in (await admin.get("/sla/api/admin/agents")).json()}
    assert (agents["802"]["staff_username"], agents["802"]["display_name"]) == ("gm", "Gm")


async def test_admin_mapping_refuses_bad_input_and_changes_nothing(logged_day, login_as) -> None:
    admin = await login_as("root", Role.ADMIN)
    too_long = await admin.post_form(
        "/sla/admin/agents", {"extension": "801", "staff_username": "x" * 65, "display_name": "Li"}
    )
    assert too_long.status_code == 422
    assert "The staff username is at most 64 characters" in too_long.text
    assert 'aria-invalid="true"' in too_long.text
    half = await admin.post_form(
        "/sla/admin/agents", {"extension": "801", "staff_username": "li.wei", "display_name": ""}
    )
    assert half.status_code == 422
    assert "Give both the staff username and the name to show" in half.text
    api = await admin.post_json(
        "/sla/api/admin/agents", {"extension": "801", "display_name": "y" * 201}
    )
    assert api.status_code == 422 and "display_name" in api.text
    agents = {a["extension"]: a for a in (await admin.get("/sla/api/admin/agents")).json()}
    assert agents["801"]["staff_username"] == ""  # nothing was saved

    manager = await login_as("gm", Role.GENERAL_MANAGER)
    assert (await manager.page("/sla/admin/agents")).status_code == 403


async def test_demo_names_two_extensions_once_and_keeps_an_admins_change(sessionmaker) -> None:
    from workers.demo_calls import map_demo_agents

    await map_demo_agents(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE metrics.agent_name SET display_name = '李娜' WHERE extension = '801'")
        )
    await map_demo_agents(sessionmaker)  # make run again
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                text("SELECT extension, display_name FROM metrics.agent_name ORDER BY extension")
            )
        ).all()
    assert [tuple(row) for row in rows] == [("801", "李娜"), ("802", "Wang Fang")]
