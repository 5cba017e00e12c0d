"""Demo hotels for ``make run``: three in Beijing and two in Shanghai, 60 nights of rates.

Loaded through the service functions, so the booking desk receives them as events like any
other change. Skipped when hotels already exist.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.agreements import service as agreements
from services.contracts.agreements.models import TermsIn
from services.contracts.hotels import repository, service
from services.contracts.hotels.schemas import (
    AllotmentIn,
    HotelIn,
    PaymentMode,
    RatePlanIn,
    RatesIn,
    RoomTypeIn,
)
from shared.auth import Role, Staff

NIGHTS = 60

# (room type, rooms held each night, net yuan, sell yuan, payment modes): sell is 15-19% over
# net, comfortably above HR-4's 10% average margin.
DemoRoom = tuple[str, int, int, int, list[PaymentMode]]
NightRange = tuple[date, date]
DEMO_HOTELS: list[tuple[dict[str, object], list[DemoRoom]]] = [
    (
        {
            "name_zh": "北京国贸大酒店",
            "name_en": "China World Summit Wing",
            "latitude": 39.911,
            "longitude": 116.4599,
            "facilities": "pool, gym, spa, airport shuttle, meeting rooms",
            "city": "Beijing",
            "district": "Chaoyang",
            "address": "1 Jianguomenwai Avenue",
            "star_grade": 5,
            "confirm_channel": "email",
            "email": "reservations@cwsw.example",
            "phone": "010-65052299",
        },
        [
            ("Deluxe King", 12, 1450, 1680, ["prepaid", "pay_at_hotel"]),
            ("Executive Twin", 8, 1800, 2080, ["prepaid"]),
        ],
    ),
    (
        {
            "name_zh": "北京王府井希尔顿酒店",
            "name_en": "Hilton Beijing Wangfujing",
            "latitude": 39.9146,
            "longitude": 116.411,
            "facilities": "pool, gym, restaurant, meeting rooms",
            "city": "Beijing",
            "district": "Dongcheng",
            "address": "8 Wangfujing East Street",
            "star_grade": 5,
            "confirm_channel": "fax",
            "fax": "010-58128000",
            "phone": "010-58128888",
        },
        [
            ("King Guest Room", 15, 980, 1150, ["prepaid", "pay_at_hotel"]),
            ("Twin Guest Room", 10, 980, 1150, ["prepaid"]),
        ],
    ),
    (
        {
            "name_zh": "北京前门建国饭店",
            "name_en": "Qianmen Jianguo Hotel",
            "latitude": 39.8897,
            "longitude": 116.392,
            "facilities": "restaurant, theatre, meeting rooms",
            "city": "Beijing",
            "district": "Xicheng",
            "address": "175 Yong'an Road",
            "star_grade": 4,
            "confirm_channel": "fax",
            "fax": "010-63016288",
            "phone": "010-63016688",
        },
        [
            ("Standard Double", 20, 420, 498, ["prepaid", "pay_at_hotel"]),
            ("Superior Twin", 10, 460, 538, ["prepaid"]),
        ],
    ),
    (
        {
            "name_zh": "上海和平饭店",
            "name_en": "Fairmont Peace Hotel",
            "latitude": 31.2401,
            "longitude": 121.49,
            "facilities": "jazz bar, spa, gym, restaurant",
            "city": "Shanghai",
            "district": "Huangpu",
            "address": "20 Nanjing Road East",
            "star_grade": 5,
            "confirm_channel": "email",
            "email": "peacehotel@fairmont.example",
            "phone": "021-61386888",
        },
        [
            ("Fairmont King", 10, 1900, 2200, ["prepaid", "pay_at_hotel"]),
            ("Deluxe Twin", 8, 2000, 2300, ["prepaid"]),
        ],
    ),
    (
        {
            "name_zh": "上海静安锦江之星",
            "name_en": "Jinjiang Inn Jing'an",
            "latitude": 31.2371,
            "longitude": 121.4466,
            "facilities": "breakfast, laundry",
            "city": "Shanghai",
            "district": "Jing'an",
            "address": "88 Changping Road",
            "star_grade": 3,
            "confirm_channel": "fax",
            "fax": "021-62158800",
            "phone": "021-62158888",
        },
        [
            ("Standard Double", 18, 260, 299, ["prepaid", "pay_at_hotel"]),
            ("Standard Twin", 12, 260, 299, ["pay_at_hotel"]),
        ],
    ),
]

PLAN_NAMES: dict[PaymentMode, str] = {
    "prepaid": "Prepaid BAR",
    "pay_at_hotel": "Pay at hotel",
    "corporate_monthly": "Corporate monthly",
}


async def _load_room_type(
    session: AsyncSession, *, actor: str, hotel_id: uuid.UUID, room: DemoRoom, nights: NightRange
) -> None:
    name, rooms, net_yuan, sell_yuan, modes = room
    room_type = await service.add_room_type(
        session, actor=actor, hotel_id=hotel_id, data=RoomTypeIn(name=name)
    )
    first, last = nights
    allotment = AllotmentIn(
        room_type_id=room_type.room_type_id, first_night=first, last_night=last, rooms=rooms
    )
    await service.set_allotment(session, actor=actor, data=allotment)
    for mode in modes:
        plan_in = RatePlanIn(
            room_type_id=room_type.room_type_id, name=PLAN_NAMES[mode], payment_mode=mode
        )
        plan = await service.add_rate_plan(session, actor=actor, hotel_id=hotel_id, data=plan_in)
        prices = RatesIn(
            rate_plan_id=plan.rate_plan_id,
            first_night=first,
            last_night=last,
            net_minor=net_yuan * 100,  # CNY minor units are fen
            sell_minor=sell_yuan * 100,
        )
        await service.set_rates(session, actor=actor, data=prices)


DEMO_DRAFTER = Staff(0, "resources", "Zhou Jie", (Role.HOTEL_RESOURCES,), "")
DEMO_DIRECTOR = Staff(0, "director", "Wu Hua", (Role.RESOURCES_DIRECTOR,), "")


async def sign_contract(
    session: AsyncSession, *, hotel_id: uuid.UUID, nights: NightRange, reason: str = ""
) -> uuid.UUID:
    """Draft, submit and have the director sign a prepaid contract over ``nights`` (HR-3), as
    the demo's resources user and director would, so the hotel can be sold."""
    draft = await agreements.draft_contract(
        session, actor=DEMO_DRAFTER, hotel_id=hotel_id, terms=_prepaid_terms(*nights)
    )
    await agreements.submit_version(
        session, actor=DEMO_DRAFTER, version_id=draft.version_id, low_margin_reason=reason
    )
    await agreements.decide_version(
        session, actor=DEMO_DIRECTOR, version_id=draft.version_id, approve=True, note="Signed"
    )
    return draft.contract_id


def _prepaid_terms(first: date, last: date) -> TermsIn:
    return TermsIn(
        valid_from=first,
        valid_to=last,
        payment_arrangement="net_prepaid",
        commission_percent=None,
        monthly_settlement=True,
        cancellation_terms="Free until 18:00 on the day of arrival",
    )


async def submit_extension(
    session: AsyncSession, *, contract_id: uuid.UUID, nights: NightRange
) -> None:
    """An amendment extending a contract over ``nights``, waiting for the director's signature
    (HR-3), so the director's approval desk has work in the demo."""
    draft = await agreements.draft_version(
        session, actor=DEMO_DRAFTER, contract_id=contract_id, terms=_prepaid_terms(*nights)
    )
    await agreements.submit_version(
        session, actor=DEMO_DRAFTER, version_id=draft.version_id, low_margin_reason=""
    )


async def load_demo_hotels(session: AsyncSession, *, actor: str, today: date) -> int:
    """Create the demo hotels unless any hotel exists; returns how many were created.

    ``today`` must not be before ``clock.today()``: past nights are refused like any input.
    """
    if await repository.count_hotels(session):
        return 0
    nights = (today, today + timedelta(days=NIGHTS - 1))
    for number, (file, rooms) in enumerate(DEMO_HOTELS):
        hotel = await service.create_hotel(session, actor=actor, data=HotelIn.model_validate(file))
        for room in rooms:
            await _load_room_type(
                session, actor=actor, hotel_id=hotel.hotel_id, room=room, nights=nights
            )
        contract_id = await sign_contract(session, hotel_id=hotel.hotel_id, nights=nights)
        if number == 0:
            longer = (nights[0], nights[1] + timedelta(days=90))
            await submit_extension(session, contract_id=contract_id, nights=longer)
    return len(DEMO_HOTELS)
