"""The booking's one read (issue 19): everything its checks need, in one round trip.

One constant statement (SQLAlchemy compiles it once and asyncpg keeps it prepared) returns:
the rate plan with its hotel and room type (IN-4), whether the hotel exists, a booking already
placed with the idempotency key (the replay), the per-night prices (IN-2), the sales
restrictions from check-in to the check-out date (IN-2, HR-2), the signed contract ranges
(HR-3), the booking form's record (IN-1) and the caller's frequent guests at the hotel (IN-10).
Nothing here is locked: the rooms are judged again under lock by the write (``write.py``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.schemas import BookingRequest
from services.intake.callers.service import FREQUENT_STAYS, VIP_REQUEST, FrequentGuest
from services.intake.inventory.restrictions import NightRestriction
from shared.phones import phone_key, phone_key_sql

# The arms of callers.service._booking_match, each its own subquery with its own index, and
# each switched off by an empty key: one prepared statement serves every caller. (One OR of
# guarded arms made PostgreSQL's generic plan scan every booking.)
_CALLER = (
    "b.booking_id IN (SELECT m.booking_id FROM intake.booking m WHERE :pkey <> '' AND "
    f"{phone_key_sql('m.booker_phone')} = :pkey UNION ALL "
    "SELECT m.booking_id FROM intake.booking m WHERE :card <> '' AND m.member_card <> '' "
    "AND upper(m.member_card) = :card)"
)

_FACTS = text(
    f"""
    SELECT p.*,
      EXISTS (SELECT 1 FROM intake.hotel h WHERE h.hotel_id = :hotel_id) AS hotel_known,
      (SELECT x.booking_id FROM intake.booking x WHERE x.idempotency_key = :idem) AS replay_id,
      pr.nights AS price_nights, pr.net AS price_net, pr.sell AS price_sell,
      pr.currency AS price_currency,
      rs.nights AS r_nights, rs.release_days AS r_release, rs.min_stay AS r_min_stay,
      rs.cta AS r_cta, rs.ctd AS r_ctd, rs.stop_sell AS r_stop_sell, rs.status AS r_status,
      ct.valid_from AS contract_from, ct.valid_to AS contract_to,
      f.form_id AS f_form_id, f.user_id AS f_user_id, f.opened_at AS f_opened_at,
      f.used_at AS f_used_at, f.call_id AS f_call_id, f.call_answered_at AS f_answered_at,
      (SELECT json_agg(v) FROM (
        SELECT min(g.name) AS guest_name, b.hotel_id, max(b.hotel_name) AS hotel_name,
          count(DISTINCT b.booking_id) AS stays
        FROM intake.booking b
        CROSS JOIN LATERAL (SELECT DISTINCT btrim(n) AS name FROM unnest(b.guest_names) n) g
        WHERE CAST(:want_vip AS boolean) AND {_CALLER} AND b.status <> 'cancelled'
          AND b.check_out >= :since AND b.check_out <= :today AND b.hotel_id = :hotel_id
          AND lower(g.name) = ANY(CAST(:wanted AS text[]))
        GROUP BY lower(g.name), b.hotel_id
        HAVING count(DISTINCT b.booking_id) >= {FREQUENT_STAYS}
        ORDER BY stays DESC, guest_name) v) AS frequent
    FROM (SELECT 1) AS one
    LEFT JOIN (
      SELECT h.hotel_id, h.name_en AS hotel_name, h.sellable, rt.room_type_id,
        rt.name AS room_type_name, rt.active AS room_type_active, rp.rate_plan_id,
        rp.hotel_id AS plan_hotel_id, rp.name AS rate_plan_name, rp.payment_mode,
        rp.active AS rate_plan_active
      FROM intake.rate_plan rp
      JOIN intake.hotel h ON h.hotel_id = rp.hotel_id
      JOIN intake.room_type rt ON rt.room_type_id = rp.room_type_id
        AND rt.hotel_id = rp.hotel_id
      WHERE rp.rate_plan_id = :rate_plan_id) AS p ON true
    LEFT JOIN LATERAL (
      SELECT array_agg(r.night ORDER BY r.night) AS nights,
        array_agg(r.net_minor ORDER BY r.night) AS net,
        array_agg(r.sell_minor ORDER BY r.night) AS sell, min(r.currency) AS currency
      FROM intake.rate_night r
      WHERE r.rate_plan_id = :rate_plan_id AND r.night >= :check_in
        AND r.night < :check_out) AS pr ON true
    LEFT JOIN LATERAL (
      SELECT array_agg(n.night) AS nights, array_agg(n.release_days) AS release_days,
        array_agg(n.min_stay) AS min_stay, array_agg(n.closed_to_arrival) AS cta,
        array_agg(n.closed_to_departure) AS ctd, array_agg(n.stop_sell) AS stop_sell,
        array_agg(n.room_status) AS status
      FROM intake.night_restriction n
      WHERE n.room_type_id = p.room_type_id AND n.night >= :check_in
        AND n.night <= :check_out) AS rs ON true
    LEFT JOIN LATERAL (
      SELECT array_agg(c.valid_from ORDER BY c.contract_id) AS valid_from,
        array_agg(c.valid_to ORDER BY c.contract_id) AS valid_to
      FROM intake.hotel_contract c WHERE c.hotel_id = :hotel_id) AS ct ON true
    LEFT JOIN intake.booking_form f ON f.form_id = CAST(:form_id AS uuid)
    """
)


class Price(NamedTuple):
    net_minor: int
    sell_minor: int


class FormRow(NamedTuple):
    """The booking form's record as ``handle_time.checked_form`` judges it."""

    form_id: uuid.UUID
    user_id: int
    opened_at: datetime
    used_at: datetime | None
    call_id: str | None
    call_answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Facts:
    plan: Any  # the plan row (None columns when unknown), shaped like repository.find_plan's
    hotel_known: bool
    replay_id: uuid.UUID | None
    prices: dict[date, Price]
    currency: str | None
    restrictions: dict[date, NightRestriction]
    contracts: list[tuple[date, date]]
    form: FormRow | None
    frequent: list[FrequentGuest]


def _form_key(form_id: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(form_id) if form_id else None
    except ValueError:
        return None  # handle_time refuses it naming the field


async def booking_facts(
    session: AsyncSession, request: BookingRequest, *, today: date, since: date
) -> Facts:
    """Everything ``service.place_booking`` checks, read in one statement."""
    wanted = sorted({g.strip().lower() for g in request.guest_names if g.strip()})
    pkey, card = phone_key(request.booker_phone), request.member_card.strip().upper()
    params = {
        "hotel_id": request.hotel_id,
        "rate_plan_id": request.rate_plan_id,
        "idem": request.idempotency_key,
        "check_in": request.check_in,
        "check_out": request.check_out,
        "form_id": _form_key(request.form_id),
        "want_vip": bool((pkey or card) and VIP_REQUEST not in request.special_requests),
        "pkey": pkey,
        "card": card,
        "wanted": wanted,
        "since": since,
        "today": today,
    }
    row = (await session.execute(_FACTS, params)).one()
    return _facts(row)


def _facts(row: Any) -> Facts:
    priced = map(Price, row.price_net or (), row.price_sell or ())
    prices = dict(zip(row.price_nights or (), priced, strict=True))
    restrictions = {
        night: NightRestriction(*values)
        for night, *values in zip(
            row.r_nights or (), row.r_release or (), row.r_min_stay or (), row.r_cta or (),
            row.r_ctd or (), row.r_stop_sell or (), row.r_status or (), strict=True,
        )
    }  # fmt: skip
    form = None
    if row.f_form_id is not None:
        form = FormRow(
            row.f_form_id, row.f_user_id, row.f_opened_at, row.f_used_at, row.f_call_id,
            row.f_answered_at,
        )  # fmt: skip
    frequent = row.frequent
    if isinstance(frequent, str):
        frequent = json.loads(frequent)
    return Facts(
        plan=row,
        hotel_known=row.hotel_known,
        replay_id=row.replay_id,
        prices=prices,
        currency=row.price_currency,
        restrictions=restrictions,
        contracts=list(zip(row.contract_from or (), row.contract_to or (), strict=True)),
        form=form,
        frequent=[FrequentGuest.model_validate(g) for g in frequent or ()],
    )
