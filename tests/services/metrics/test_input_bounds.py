"""Bounded input on the dashboard and the telephony webhook (issue 14): dates at the edges of
the calendar, control characters and over-long names are a 422 naming the field (a readable
page on the HTML routes), never a 500, and a refused batch stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.metrics.webhook import CallEvent
from shared.auth import Role
from tests.services.metrics.test_webhook import TOKEN, event, post, stored
from tests.shared.test_input_bounds import unbounded_fields
from workers.registry import service_app

HISTORY_JSON = ("/sla/api/history", "/sla/history.csv", "/sla/history.xlsx")


@pytest.fixture
async def manager(login_as) -> Any:
    return await login_as("gm", Role.GENERAL_MANAGER)


@pytest.fixture
def token(monkeypatch) -> str:
    monkeypatch.setattr(service_app("metrics").state.settings, "telephony_token", TOKEN)
    return TOKEN


def test_every_field_of_the_metrics_api_has_a_bound() -> None:
    # The events admin routes come from shared.events.admin, bounded there.
    found = [f for f in unbounded_fields("metrics") if "/admin/events/" not in f]
    assert found == []


@pytest.mark.parametrize("path", HISTORY_JSON)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=0001-01-01", "from"),
        ("to=9999-12-31", "to"),
        ("from=0001-01-01&to=0001-01-07", "from"),
    ],
)
async def test_history_dates_at_the_edges_of_the_calendar_are_422_naming_the_field(
    manager, path: str, query: str, field: str
) -> None:
    response = await manager.get(f"{path}?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field
    assert "between" in response.json()["fields"][0]["message"]


async def test_history_page_shows_a_readable_page_for_an_edge_date(manager) -> None:
    for query, field in (("to=9999-12-31", "to"), ("from=0001-01-01", "from")):
        page = await manager.page(f"/sla/history?{query}")
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert f"{field.capitalize()}: " in page.text and "Enter a date between" in page.text


async def test_history_refuses_a_nul_in_the_interval(manager) -> None:
    response = await manager.get("/sla/api/history", params={"interval": "day\x00"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "interval"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"queue": "sales\x00"}, "events.0.queue"),
        ({"queue": "q" * 81}, "events.0.queue"),
        ({"agent": "a" * 121}, "events.0.agent"),
        ({"call_id": "c\x1b[2J"}, "events.0.call_id"),
        ({"data": ["x"] * 11}, "events.0.data"),
        ({"at": "0001-01-01T00:00:00+01:00"}, "events.0.at"),
        ({"at": "9999-12-31T23:59:59-05:00"}, "events.0.at"),
    ],
)
async def test_a_hostile_call_event_is_422_naming_the_field_and_nothing_is_stored(
    web_app,
    sessionmaker,
    token,
    overrides: dict[str, Any],
    field: str,
) -> None:
    body = {"source": "avaya-hq", "events": [event(1, **overrides), event(2)]}
    refused = await post(web_app, body, token)
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"][0]["field"] == field
    assert await stored(sessionmaker) == 0


async def test_a_nul_in_the_source_is_refused_and_nothing_is_stored(
    web_app,
    sessionmaker,
    token,
) -> None:
    refused = await post(web_app, {"source": "pbx\x00", "events": [event(1)]}, token)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "source"
    assert await stored(sessionmaker) == 0


@pytest.mark.parametrize("queue", ["sales\x00", "sales\x07", "s" * 81, ""])
def test_call_event_refuses_a_bad_queue_by_its_type_alone(queue: str) -> None:
    """Without the door's guard (a replay, a test, a worker), the type itself refuses it."""
    with pytest.raises(ValidationError) as refused:
        CallEvent.model_validate(event(1, queue=queue))
    assert refused.value.errors()[0]["loc"] == ("queue",)


def test_call_event_schema_carries_the_window() -> None:
    assert CallEvent.model_json_schema()["properties"]["at"]["x-window"] == "business"
