"""The booking write in one statement (issue 19): ``intake.place_booking``.

One round trip sells the rooms and records the booking, or writes nothing and says why. The
service (``services/intake/booking/write.py``) has already checked everything that needs no
lock (plan, prices, restrictions, contract, form) on one read; what needs the lock is here:

1. ARCHITECTURE (lock order), IN-4: lock the stay's nights in night order (``FOR UPDATE ...
   ORDER BY night``) and judge each under the lock. A night not released or short of rooms
   refuses the booking: one row per such night, nothing written. A twin request with the same
   idempotency key that took the last room is not a refusal: ``taken`` (the service answers
   with the twin's booking, ``created=False``).
2. Insert the booking; a unique clash (the key raced, or the drawn reference is taken) writes
   nothing and answers ``taken`` or ``ref_taken`` (the service draws another reference).
3. IN-1: mark the booking's form used, once; an already used form answers ``form_used`` and the
   service raises, which rolls the booking row back with the request's transaction.
4. The guarded decrement (``allotment - sold >= rooms``; under the lock it cannot fail), the
   booking's nights, its outbox row (the event's aggregate version is the booking's own, 1:
   no counter row to bump) and its audit row.

Frozen as first written: a later change of the write is a new revision replacing the function.

Revision ID: intake_0012_booking_write
Revises: intake_0011_memo_complaints
"""

from alembic import op

revision = "intake_0012_booking_write"
down_revision = "intake_0011_memo_complaints"
branch_labels = None
depends_on = None

_BOOKING_COLUMNS = (
    "booking_id, booking_ref, hotel_id, hotel_name, room_type_id, room_type_name, rate_plan_id, "
    "rate_plan_name, check_in, check_out, rooms, guest_names, booker_name, booker_phone, "
    "booker_company, member_card, payment_mode, confirm_channel, special_requests, "
    "arrival_time, urgent, status, idempotency_key, handling_started_at, committed_at, "
    "agent_username, total_sell_minor, currency, source, confirm_contact, reply_at_once, "
    "on_request, call_id, handling_source, handle_seconds, search_names"
)

_FUNCTION = f"""
CREATE FUNCTION intake.place_booking(
    p_booking jsonb, p_nights date[], p_net bigint[], p_sell bigint[], p_take boolean,
    p_form_id uuid, p_event jsonb, p_audit jsonb
) RETURNS TABLE (outcome text, night date, remaining integer)
LANGUAGE plpgsql AS $fn$
DECLARE
    b intake.booking;
    locked record;
    seen integer := 0;
    refused boolean := false;
BEGIN
    b := jsonb_populate_record(NULL::intake.booking, p_booking);
    IF p_take THEN
        FOR locked IN
            SELECT i.night, i.allotment - i.sold AS left_over FROM intake.inventory_night i
            WHERE i.room_type_id = b.room_type_id AND i.night = ANY(p_nights)
            ORDER BY i.night FOR UPDATE
        LOOP
            seen := seen + 1;
            IF locked.left_over < b.rooms THEN
                refused := true;
                outcome := 'short'; night := locked.night; remaining := locked.left_over;
                RETURN NEXT;
            END IF;
        END LOOP;
        IF seen < cardinality(p_nights) THEN
            refused := true;
            RETURN QUERY SELECT 'unreleased'::text, n, NULL::integer FROM unnest(p_nights) n
                WHERE NOT EXISTS (SELECT 1 FROM intake.inventory_night i
                    WHERE i.room_type_id = b.room_type_id AND i.night = n)
                ORDER BY n;
        END IF;
        IF refused THEN
            IF EXISTS (SELECT 1 FROM intake.booking x WHERE x.idempotency_key = b.idempotency_key)
            THEN
                RETURN QUERY SELECT 'taken'::text, NULL::date, NULL::integer;
            END IF;
            RETURN;
        END IF;
    END IF;

    INSERT INTO intake.booking ({_BOOKING_COLUMNS})
    SELECT {_BOOKING_COLUMNS} FROM (SELECT (b).*) AS r
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM intake.booking x WHERE x.idempotency_key = b.idempotency_key)
        THEN
            RETURN QUERY SELECT 'taken'::text, NULL::date, NULL::integer;
        ELSE
            RETURN QUERY SELECT 'ref_taken'::text, NULL::date, NULL::integer;
        END IF;
        RETURN;
    END IF;

    IF p_form_id IS NOT NULL THEN
        UPDATE intake.booking_form f SET used_at = b.committed_at, booking_id = b.booking_id
        WHERE f.form_id = p_form_id AND f.used_at IS NULL;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'form_used'::text, NULL::date, NULL::integer;
            RETURN;
        END IF;
    END IF;

    IF p_take THEN
        UPDATE intake.inventory_night i SET sold = i.sold + b.rooms, updated_at = now()
        WHERE i.room_type_id = b.room_type_id AND i.night = ANY(p_nights)
          AND i.allotment - i.sold >= b.rooms;
        GET DIAGNOSTICS seen = ROW_COUNT;
        IF seen <> cardinality(p_nights) THEN
            RAISE EXCEPTION 'place_booking: % of % nights taken under lock',
                seen, cardinality(p_nights);
        END IF;
    END IF;

    INSERT INTO intake.booking_night (booking_id, night, net_minor, sell_minor)
    SELECT b.booking_id, n.night, n.net, n.sell
    FROM unnest(p_nights, p_net, p_sell) AS n(night, net, sell);

    INSERT INTO intake.outbox (event_id, name, version, payload, occurred_at, aggregate,
        aggregate_version)
    VALUES ((p_event->>'event_id')::uuid, p_event->>'name', (p_event->>'version')::integer,
        p_event->'payload', (p_event->>'occurred_at')::timestamptz, p_event->>'aggregate',
        (p_event->>'aggregate_version')::bigint);

    INSERT INTO intake.audit_log (actor, action, entity, entity_id, after)
    VALUES (p_audit->>'actor', p_audit->>'action', p_audit->>'entity', p_audit->>'entity_id',
        p_audit->'after');

    RETURN QUERY SELECT 'placed'::text, NULL::date, NULL::integer;
END
$fn$
"""

STATEMENTS: list[str] = [_FUNCTION]

DOWNGRADE: list[str] = [
    "DROP FUNCTION intake.place_booking(jsonb, date[], bigint[], bigint[], boolean, uuid, "
    "jsonb, jsonb)"
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
