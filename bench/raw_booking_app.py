"""The raw baseline for bench/booking.py: the same guarded decrement and insert, straight
asyncpg, no framework beyond Starlette, no auth, no validation, no outbox."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    dsn = os.environ["DATABASE_URL"].replace("+asyncpg", "")
    app.state.pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
    yield
    await app.state.pool.close()


async def book(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    check_in = date.fromisoformat(body["check_in"])
    check_out = date.fromisoformat(body["check_out"])
    rooms, room_type_id = int(body["rooms"]), uuid.UUID(body["room_type_id"])
    booking_id = uuid.uuid4()
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        locked = await conn.fetch(
            "SELECT night FROM intake.inventory_night WHERE room_type_id = $1 "
            "AND night >= $2 AND night < $3 ORDER BY night FOR UPDATE",
            room_type_id,
            check_in,
            check_out,
        )
        status = await conn.execute(
            "UPDATE intake.inventory_night SET sold = sold + $4 WHERE room_type_id = $1 "
            "AND night >= $2 AND night < $3 AND allotment - sold >= $4",
            room_type_id,
            check_in,
            check_out,
            rooms,
        )
        if not locked or int(status.split()[-1]) != len(locked):
            raise _SoldOut  # rolls the transaction back
        await conn.execute(
            "INSERT INTO public.bench_raw_booking (booking_id, room_type_id, check_in, "
            "check_out, rooms, guest) VALUES ($1, $2, $3, $4, $5, $6)",
            booking_id,
            room_type_id,
            check_in,
            check_out,
            rooms,
            body["guest_names"][0],
        )
    return JSONResponse({"booking_id": str(booking_id)}, status_code=201)


class _SoldOut(Exception):
    pass


async def sold_out(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "conflict"}, status_code=409)


app = Starlette(
    routes=[Route("/book", book, methods=["POST"])],
    lifespan=lifespan,
    exception_handlers={_SoldOut: sold_out},
)
