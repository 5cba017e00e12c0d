"""Issue 12: each service's /admin/events page, its actions, its gauges and the CLI
(``python -m workers.events``), against the real database and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.audit import audit_table
from shared.auth import Role
from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.failures import write_dead_letter
from shared.events.outbox import dead_letter_table, inbox_table, outbox_table
from workers import events as events_cli

Sessions = async_sessionmaker[AsyncSession]


def _failure() -> Exception:
    """An exception with a traceback, as a handler's last try leaves it."""
    try:
        raise LookupError("hotel-42 is not in the projection")
    except LookupError as exc:
        return exc


async def _dead_letter(sessionmaker: Sessions, schema: str) -> uuid.UUID:
    envelope = Envelope(
        event_id=uuid.uuid4(),
        name="hotel.published",
        version=1,
        occurred_at=datetime.now(UTC),
        source="contracts",
        payload={"hotel_id": "hotel-42"},
    )
    async with unit_of_work(sessionmaker) as session:
        await write_dead_letter(session, schema=schema, envelope=envelope, exc=_failure(), tries=12)
    return envelope.event_id


async def _state(sessionmaker: Sessions, schema: str, event_id: uuid.UUID) -> str | None:
    table = dead_letter_table(schema)
    async with sessionmaker() as session:
        return await session.scalar(select(table.c.state).where(table.c.event_id == event_id))


async def _audits(sessionmaker: Sessions, schema: str, action: str) -> list[Any]:
    table = audit_table(schema)
    async with sessionmaker() as session:
        rows = await session.execute(select(table).where(table.c.action == action))
        return list(rows.mappings())


async def _in_inbox(sessionmaker: Sessions, schema: str, event_id: uuid.UUID) -> bool:
    table = inbox_table(schema)
    async with sessionmaker() as session:
        found = await session.scalar(select(table.c.event_id).where(table.c.event_id == event_id))
        return found is not None


async def test_the_page_shows_a_dead_letter_and_its_error_to_an_admin(login_as, sessionmaker):
    event_id = await _dead_letter(sessionmaker, "intake")
    admin = await login_as("root", Role.ADMIN)

    page = await admin.page("/intake/admin/events")

    assert page.status_code == 200
    assert str(event_id) in page.text and "hotel.published" in page.text
    assert "is not in the projection" in page.text and "test_events_admin.py" in page.text
    assert "Dead letters" in page.text and 'action="/intake/admin/events/' in page.text
    assert 'href="/contracts/admin/events"' in page.text  # every service's page is linked
    api = await admin.get("/intake/api/admin/events", params={"limit": 10})
    body = api.json()
    assert body["dead_total"] == 1 and body["letters"][0]["tries"] == 12
    assert body["outbox"] == {"unrelayed": 0, "oldest_unrelayed_seconds": 0.0}
    assert body["queued_jobs"] == 0 and "envelope" not in body["letters"][0]


async def test_the_gateway_page_is_the_overview_and_says_when_there_are_none(login_as):
    admin = await login_as("root", Role.ADMIN)

    shell = await admin.page("/")
    page = await admin.page("/admin/events")

    assert 'href="/admin/events"' in shell.text
    assert page.status_code == 200
    assert "No dead letters" in page.text
    admin.http.cookies.set("roomline_locale", "zh_CN")
    chinese = await admin.page("/admin/events")
    assert "没有死信" in chinese.text and "No dead letters" not in chinese.text
    assert all(f'href="/{m}/admin/events"' in page.text for m in ("intake", "sla", "payments"))


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "offset=x"])
async def test_paging_outside_its_bounds_is_refused_not_a_500(login_as, query):
    admin = await login_as("root", Role.ADMIN)
    assert (await admin.get(f"/intake/api/admin/events?{query}")).status_code == 422


async def test_staff_other_than_admin_get_403(login_as, sessionmaker):
    event_id = await _dead_letter(sessionmaker, "intake")
    agent = await login_as("ana", Role.GENERAL_MANAGER)

    assert (await agent.page("/intake/admin/events")).status_code == 403
    assert (await agent.get("/intake/api/admin/events")).status_code == 403
    refused = await agent.post_form(f"/intake/admin/events/{event_id}/redrive", {})
    assert refused.status_code == 403
    assert await _state(sessionmaker, "intake", event_id) == "dead"


async def test_redrive_asks_the_relay_and_is_audited(login_as, sessionmaker):
    event_id = await _dead_letter(sessionmaker, "intake")
    admin = await login_as("root", Role.ADMIN)

    response = await admin.post_form(f"/intake/admin/events/{event_id}/redrive", {})

    assert response.status_code == 303
    assert response.headers["location"] == "/intake/admin/events?notice=redrive"
    assert await _state(sessionmaker, "intake", event_id) == "redrive"
    (audit,) = await _audits(sessionmaker, "intake", "event_redrive")
    assert audit["actor"] == "root" and audit["entity_id"] == str(event_id)
    page = await admin.page("/intake/admin/events?notice=redrive")
    assert "已请求重发" in page.text and "等待重发 / redrive asked" in page.text
    # Not dead any more: a clear 409, and 404 for an id that has no dead letter.
    again = await admin.post_json(f"/intake/api/admin/events/{event_id}/redrive", {})
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    missing = await admin.post_json(f"/intake/api/admin/events/{uuid.uuid4()}/redrive", {})
    assert missing.status_code == 404
    shown = await admin.post_form(f"/intake/admin/events/{event_id}/redrive", {})
    assert shown.status_code == 409 and "not dead" in shown.text and 'role="alert"' in shown.text


async def test_redrive_all_asks_for_every_dead_event(login_as, sessionmaker):
    first = await _dead_letter(sessionmaker, "members")
    second = await _dead_letter(sessionmaker, "members")
    admin = await login_as("root", Role.ADMIN)

    response = await admin.post_json("/members/api/admin/events/redrive-all", {})

    assert response.json() == {"asked": 2}
    assert {await _state(sessionmaker, "members", e) for e in (first, second)} == {"redrive"}


@pytest.mark.parametrize("reason", ["", "  ", "no", "bad\x07reason", "x" * 501])
async def test_discard_without_a_proper_reason_is_refused_and_changes_nothing(
    login_as, sessionmaker, reason
):
    event_id = await _dead_letter(sessionmaker, "intake")
    admin = await login_as("root", Role.ADMIN)

    page = await admin.post_form(f"/intake/admin/events/{event_id}/discard", {"reason": reason})
    api = await admin.post_json(f"/intake/api/admin/events/{event_id}/discard", {"reason": reason})

    assert page.status_code == 422 and 'role="alert"' in page.text
    # The form names the reason; a control character is refused at the door (shared.input_guard).
    assert "原因" in page.text or "reason: " in page.text
    assert api.status_code == 422 and api.json()["fields"][0]["field"] == "reason"
    assert await _state(sessionmaker, "intake", event_id) == "dead"
    assert not await _audits(sessionmaker, "intake", "event_discard")
    assert not await _in_inbox(sessionmaker, "intake", event_id)


async def test_discard_with_a_reason_removes_it_audits_and_fills_the_inbox(login_as, sessionmaker):
    event_id = await _dead_letter(sessionmaker, "intake")
    admin = await login_as("root", Role.ADMIN)

    response = await admin.post_form(
        f"/intake/admin/events/{event_id}/discard", {"reason": "hotel 42 was deleted upstream"}
    )

    assert response.status_code == 303
    assert await _state(sessionmaker, "intake", event_id) is None
    (audit,) = await _audits(sessionmaker, "intake", "event_discard")
    assert audit["after"] == {"discarded": True, "reason": "hotel 42 was deleted upstream"}
    assert await _in_inbox(sessionmaker, "intake", event_id)


async def test_the_metrics_count_dead_letters_and_the_outbox_age(login_as, http, sessionmaker):
    await _dead_letter(sessionmaker, "intake")
    async with unit_of_work(sessionmaker) as session:
        await session.execute(
            insert(outbox_table("payments")),
            [_outbox_row(created_at=datetime.now(UTC) - timedelta(minutes=10))],
        )
    client = await http()

    intake = (await client.get("/intake/metrics")).text
    payments = (await client.get("/payments/metrics")).text

    assert 'roomline_events_dead_letters{service="intake"} 1.0' in intake
    assert 'roomline_outbox_oldest_unrelayed_seconds{service="intake"} 0.0' in intake
    line = next(
        x
        for x in payments.splitlines()
        if x.startswith("roomline_outbox_oldest_unrelayed_seconds") and 'service="payments"' in x
    )
    assert 599 < float(line.split()[-1]) < 700


def _outbox_row(*, created_at: datetime, relayed_at: datetime | None = None) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4(),
        "name": "payment.settled",
        "version": 1,
        "payload": {},
        "occurred_at": created_at,
        "created_at": created_at,
        "relayed_at": relayed_at,
    }


def _cli(*argv: str) -> Coroutine[Any, Any, int]:
    # main() runs its own event loop (asyncio.run), so it gets a thread of its own.
    return asyncio.to_thread(events_cli.main, list(argv))


async def test_cli_lists_and_discards_a_dead_letter(sessionmaker, capsys):
    event_id = await _dead_letter(sessionmaker, "noshow")

    assert await _cli("list", "noshow") == 0
    listed = capsys.readouterr().out
    assert "noshow: unrelayed 0" in listed and "dead letters 1" in listed
    assert str(event_id) in listed and "is not in the projection" in listed

    assert await _cli("discard", "noshow", str(event_id), "--reason", "ok", "--actor", "ops") == 2
    assert "3 to 500 characters" in capsys.readouterr().err
    assert await _state(sessionmaker, "noshow", event_id) == "dead"

    done = await _cli("discard", "noshow", str(event_id), "--reason", "dup", "--actor", "ops")
    assert done == 0 and await _state(sessionmaker, "noshow", event_id) is None
    assert (await _audits(sessionmaker, "noshow", "event_discard"))[0]["actor"] == "ops"


async def test_cli_refuses_an_unknown_service_or_event_with_status_2(capsys):
    with pytest.raises(SystemExit) as exited:
        await _cli("list", "billing")
    assert exited.value.code == 2 and "unknown service" in capsys.readouterr().err
    assert await _cli("redrive", "intake", str(uuid.uuid4()), "--actor", "ops") == 2
    assert "No dead letter" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        await _cli("redrive", "intake", str(uuid.uuid4()))  # no --actor


async def test_cli_replay_marks_outbox_rows_since_then_unrelayed_and_audits(sessionmaker):
    now = datetime.now(UTC)
    old = _outbox_row(created_at=now - timedelta(hours=3), relayed_at=now)
    recent = _outbox_row(created_at=now - timedelta(minutes=20), relayed_at=now)
    async with unit_of_work(sessionmaker) as session:
        await session.execute(insert(outbox_table("payments")), [old, recent])
    since = (now - timedelta(hours=1)).isoformat()

    assert await _cli("replay", "payments", "--since", since, "--actor", "ops") == 0

    table = outbox_table("payments")
    async with sessionmaker() as session:
        unrelayed = await session.scalars(
            select(table.c.event_id).where(table.c.relayed_at.is_(None))
        )
        assert list(unrelayed) == [recent["event_id"]]
        count = await session.scalar(select(func.count()).select_from(table))
    assert count == 2
    (audit,) = await _audits(sessionmaker, "payments", "outbox_replay")
    assert audit["actor"] == "ops" and audit["after"]["rows"] == 1
