"""The shared kit: money in minor units, the business clock, masking, relay metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from shared.clock import Clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events.outbox import publish
from shared.money import Money
from shared.observability import mask_personal_data
from tests.e2e.test_event_delivery import booking_payload
from tests.support.infra import INFRA


def test_money_parses_typed_amounts_into_minor_units() -> None:
    assert Money.parse("688.50", "CNY") == Money(68850, "CNY")
    assert Money.parse("1200", "JPY") == Money(1200, "JPY")
    assert (Money(100, "CNY") + Money(250, "CNY")).format() == "CNY 3.50"
    with pytest.raises(ValueError, match="decimal places"):
        Money.parse("1.005", "CNY")
    with pytest.raises(ValueError, match="cannot mix"):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(ValueError, match="ISO"):
        Money(1, "yuan")


def test_business_day_is_judged_in_beijing_not_utc() -> None:
    clock = Clock("Asia/Shanghai")
    clock.set_now(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 on the 24th in Beijing
    assert clock.today() == date(2026, 11, 24)
    assert clock.start_of_local_day(date(2026, 11, 24)) == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.local().hour == 1
    with pytest.raises(ValueError):
        clock.set_now(datetime(2026, 1, 1))  # naive: refused


def test_logs_mask_names_phones_and_cards_but_not_system_fields() -> None:
    record = mask_personal_data(
        None,
        "info",
        {
            "event": "called 13800138000 about 2026-11-23",
            "guest_names": ["张伟"],
            "card_number": "6222020200112233",
            "request_id": "13800138000",
            "rooms": 2,
        },
    )
    assert record["event"] == "called ***8000 about 2026-11-23"
    assert record["guest_names"] == ["张**"]
    assert record["card_number"] == "***2233"
    assert record["request_id"] == "13800138000" and record["rooms"] == 2


async def test_relay_reports_outbox_backlog_and_queue_depth() -> None:
    from workers.relay import build_relay

    engine = make_engine(INFRA.database_url, pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await publish(
            session, schema="intake", payload=booking_payload(1), occurred_at=datetime.now(UTC)
        )
    await engine.dispose()
    relay = build_relay()
    try:
        await relay.record_lag()
        assert REGISTRY.get_sample_value("roomline_outbox_pending", {"source": "intake"}) == 1
        assert await relay.drain() == 1
        await relay.record_lag()
        assert REGISTRY.get_sample_value("roomline_outbox_pending", {"source": "intake"}) == 0
        queue = relay.queue_prefix + ":confirmation"
        assert REGISTRY.get_sample_value("roomline_queue_depth", {"queue": queue}) == 1
    finally:
        await relay.engine.dispose()
        if relay._pool is not None:
            await relay._pool.aclose()
