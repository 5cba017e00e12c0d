"""Call events posted as JSON by other telephony systems (SL-1): stored once, refused whole
when one is unknown, and only with the telephony token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from workers.registry import service_app

URL = "/sla/api/call-events"
TOKEN = "tel-3f9c1b7e"


@pytest.fixture
def token(monkeypatch) -> str:
    monkeypatch.setattr(service_app("metrics").state.settings, "telephony_token", TOKEN)
    return TOKEN


def event(n: int, name: str = "ENTERQUEUE", **overrides: Any) -> dict[str, Any]:
    return {
        "event_id": f"pbx-{n}",
        "at": "2026-11-18T09:00:00+08:00",
        "call_id": f"c{n}",
        "queue": "sales",
        "event": name,
        "data": ["", "13912345678", "1"],
        **overrides,
    }


async def stored(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text("SELECT count(*) FROM metrics.call_line")) or 0)


async def post(web_app, body: dict[str, Any], auth: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post(URL, json=body, headers=headers)


async def test_sl1_posted_events_are_stored_once(web_app, sessionmaker, token) -> None:
    body = {"source": "avaya-hq", "events": [event(1), event(2, "CONNECT", data=["4", "x", "2"])]}
    first = await post(web_app, body, token)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 2, "stored": 2, "status": "ok"}
    again = await post(web_app, body, token)  # the sender retries after a lost answer
    assert again.json()["stored"] == 0
    assert await stored(sessionmaker) == 2


async def test_sl1_an_unknown_event_refuses_the_whole_batch(web_app, sessionmaker, token) -> None:
    body = {"source": "avaya-hq", "events": [event(1), event(2, "DANCE")]}
    refused = await post(web_app, body, token)
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["field"] == "events.1.event"
    naive = await post(web_app, {"source": "x", "events": [event(3, at="2026-11-18T09:00")]}, token)
    assert naive.status_code == 422
    assert await stored(sessionmaker) == 0


async def test_sl1_the_webhook_needs_the_token(web_app, sessionmaker, monkeypatch) -> None:
    body = {"source": "avaya-hq", "events": [event(1)]}
    assert (await post(web_app, body, "anything")).status_code == 503  # not configured
    monkeypatch.setattr(service_app("metrics").state.settings, "telephony_token", TOKEN)
    assert (await post(web_app, body, None)).status_code == 401
    assert (await post(web_app, body, "wrong")).status_code == 401
    assert await stored(sessionmaker) == 0


async def test_issue19_posted_events_are_folded_once_across_posts(
    web_app, sessionmaker, token
) -> None:
    """The webhook goes through the tailer's ingest fold: a call entered in one post and
    answered and ended in the next is one call, offered once, even when a post is retried."""
    enter = event(1, at="2026-11-18T09:00:00+08:00")
    connect = event(2, "CONNECT", call_id="c1", data=["4", "c1b", "2"])
    connect["at"] = "2026-11-18T09:00:04+08:00"
    done = event(3, "COMPLETECALLER", call_id="c1", data=["4", "60", "1"])
    done["at"] = "2026-11-18T09:01:04+08:00"
    assert (await post(web_app, {"source": "pbx", "events": [enter]}, token)).status_code == 200
    second = {"source": "pbx", "events": [done, connect]}  # out of order within the post
    assert (await post(web_app, second, token)).json()["stored"] == 2
    assert (await post(web_app, second, token)).json()["stored"] == 0  # retried
    async with sessionmaker() as session:
        calls = (
            await session.execute(
                text("SELECT outcome, wait_seconds, talk_seconds, is_open FROM metrics.call")
            )
        ).all()
        sums = (
            await session.execute(
                text("SELECT offered, answered, handled, answered_waits FROM metrics.call_interval")
            )
        ).all()
    assert [tuple(row) for row in calls] == [("answered", 4, 60, False)]
    assert [tuple(row) for row in sums] == [(1, 1, 1, [0, 0, 0, 0, 1])]
