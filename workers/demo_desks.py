"""Work on every desk for ``make run``'s demo: members, bookings in each state, a corporate
group, confirmation tasks and hotels' replies.

Everything is done the way the desks do it, through the services' own functions with the
demo's staff as actors (each step in its own transaction, as a request would be), so events
flow and every projection fills: agents open a booking form for a call and place bookings;
the pricing desk rejects a special price; an agent modifies one booking and cancels another;
the confirmation desk records a hotel's confirmation number and a full house; customer
service files members and flags a major complaint; a team lead opens a corporate account;
hotels' mails arrive through the inbound mail path (``demo_mail``). The relay and workers
run meanwhile (``demo_pipeline``).

Dated from the business date the demo is first loaded (``clock.today()``). Loaded once: each
step first looks for what it would create (a booking by its idempotency key, a member by card,
an account by name, a group by company and hotel, a mail by Message-ID, a task's answer by its
state), and when the last step's mail is there the whole load is skipped. ``make reset`` starts
afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.confirmation import desk as confirmation_desk
from services.confirmation import service as confirmation
from services.confirmation.models import HotelContact
from services.confirmation.schemas import TaskView
from services.contracts.grid.restrictions import RestrictionsIn, set_restrictions
from services.contracts.hotels import repository as hotels
from services.contracts.reports import free_rooms
from services.contracts.reports.models import free_room_grant
from services.gateway import repository as gateway_repository
from services.intake.booking import handle_time, placed
from services.intake.booking import repository as bookings
from services.intake.booking import service as booking_service
from services.intake.booking.schemas import BookingRequest
from services.intake.changes import service as changes
from services.intake.changes.schemas import CancelRequest, ModifyRequest
from services.intake.groups import accounts as group_accounts
from services.intake.groups import service as groups
from services.intake.groups.accounts import AccountIn, AccountView
from services.intake.groups.service import GroupRequest, RoomIn, lines_of
from services.intake.groups.worklist import group_worklist
from services.intake.special_prices import service as special_prices
from services.members import service as members
from services.members.service import ComplaintFlagIn, MemberIn
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import DomainError, NotFound
from shared.observability import get_logger
from workers import demo_mail, demo_members
from workers.demo_pipeline import DemoNotReady, drained, running_pipeline, wait_for

log = get_logger("demo")
Sessionmaker = async_sessionmaker[AsyncSession]
KEY_PREFIX = "demo:"  # the demo bookings' idempotency keys


# --- what the demo holds ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMember:
    card_no: str
    name: str
    phones: tuple[str, ...]
    level: str
    complaint: str = ""  # IN-8: a major complaint on file


DEMO_MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("M80012345", "马超", ("139 1111 2222",), "gold"),
    DemoMember("M80023456", "王秀英", ("138 2222 3333", "010-6501 2345"), "silver"),
    DemoMember("M80034567", "李强", ("137 3333 4444",), "standard"),
    DemoMember(
        "M80045678",
        "郑浩",
        ("136 4444 5555",),
        "platinum",
        "11月在和平饭店入住时房间未准备好，客人等候两小时。下次预订请主动提供免费升级或200元代金券。"
        " / Room not ready on arrival at the Peace Hotel in November, the guest waited two "
        "hours: offer a free upgrade or a 200-yuan voucher at the next booking.",
    ),
)
COMPLAINT_DAYS_AGO = 2


@dataclass(frozen=True)
class DemoBooking:
    """One booking an agent takes on a call; check-in is ``day`` days after the load."""

    key: str
    agent: str
    hotel: str  # the hotel's English name (services/contracts/demo.py)
    room_type: str
    plan: str
    day: int
    nights: int
    guests: tuple[str, ...]
    booker: str
    phone: str
    channel: str
    contact: str = ""
    member_card: str = ""
    company: str = ""
    rooms: int = 1
    reply_at_once: bool = False
    arrival: str = ""
    requests: str = ""
    special_yuan: int | None = None  # IN-11: a per-night special price
    special_reason: str = ""
    call_seconds: int = 200  # how long before the form opened the call was answered


CW, HILTON, QIANMEN = (
    "China World Summit Wing",
    "Hilton Beijing Wangfujing",
    "Qianmen Jianguo Hotel",
)
PEACE, JINJIANG = "Fairmont Peace Hotel", "Jinjiang Inn Jing'an"
PREPAID, AT_HOTEL = "Prepaid BAR", "Pay at hotel"

DEMO_BOOKINGS: tuple[DemoBooking, ...] = (
    # Placed, waiting for the confirmation desk (CF-2: within 24 hours).
    DemoBooking(
        "placed", "agent", CW, "Deluxe King", PREPAID, 5, 2, ("马超",), "马超", "139 1111 2222",
        "email", "machao@example.com", member_card="M80012345", arrival="18:00",
        requests="高楼层，无烟房 / high floor, non-smoking",
    ),
    # Check-in tomorrow: the hotel must confirm today (CF-2).
    DemoBooking(
        "tomorrow", "agent2", HILTON, "King Guest Room", AT_HOTEL, 1, 2, ("孙悦", "孙明"),
        "孙悦", "135 6677 8899", "sms", call_seconds=260,
    ),
    # Same day, "reply at once": the one-hour clock of CF-2 and CF-6 is running.
    DemoBooking(
        "same_day", "agent", QIANMEN, "Standard Double", AT_HOTEL, 0, 1, ("周涛",), "周涛",
        "133 1020 3040", "phone", reply_at_once=True, arrival="21:30", call_seconds=150,
        requests="晚到，请保留房间 / late arrival, please hold the room",
    ),
    # Same day, confirmed by the hotel: the customer must hear within the hour (CF-6). The
    # next morning, after the night audit's time, it is on the no-show desk's worklist (NS-1):
    # the demo has no past stay, as intake refuses past nights.
    DemoBooking(
        "same_day_confirmed", "agent2", JINJIANG, "Standard Double", AT_HOTEL, 0, 1,
        ("何静",), "何静", "186 2233 4455", "sms", arrival="20:00", call_seconds=190,
    ),
    # Confirmed by the hotel with its confirmation number (CF-4).
    DemoBooking(
        "confirmed", "agent2", PEACE, "Fairmont King", PREPAID, 10, 3, ("王秀英",), "王秀英",
        "138 2222 3333", "email", "wangxiuying@example.com", member_card="M80023456",
        requests="结婚纪念日 / wedding anniversary", call_seconds=280,
    ),
    # On request (HR-2): no allotment taken, the hotel is asked.
    DemoBooking(
        "on_request", "agent", JINJIANG, "Standard Twin", AT_HOTEL, 14, 2, ("李强", "刘敏"),
        "李强", "137 3333 4444", "sms", member_card="M80034567", call_seconds=240,
    ),
    # A special price waiting for the pricing desk (IN-11).
    DemoBooking(
        "special_pending", "agent", HILTON, "Twin Guest Room", PREPAID, 8, 2, ("吴磊",),
        "吴磊", "139 8765 4321", "email", "wulei@example.com", company="华东贸易有限公司",
        special_yuan=1080, special_reason="常客，对手报价1080元 / regular guest, competitor "
        "quoted 1080", call_seconds=330,
    ),
    # A special price the pricing desk refused.
    DemoBooking(
        "special_rejected", "agent2", CW, "Executive Twin", PREPAID, 12, 1, ("高峰",), "高峰",
        "136 5555 6666", "phone", special_yuan=1850,
        special_reason="客户要求与去年同价 / the guest asks for last year's price",
    ),
    # Modified after booking (IN-5): one more night; the change is its own task.
    DemoBooking(
        "modified", "agent", CW, "Executive Twin", PREPAID, 6, 2, ("林峰", "林悦"), "林峰",
        "135 1234 8765", "email", "linfeng@example.com", call_seconds=210,
    ),
    # Cancelled by the guest (IN-5); the cancellation goes to the hotel too.
    DemoBooking(
        "cancelled", "agent2", CW, "Deluxe King", AT_HOTEL, 4, 1, ("黄磊",), "黄磊",
        "132 4444 7777", "sms", call_seconds=170,
    ),
    # The hotel answered "full" (CF-3): the agent must call the customer with alternatives.
    DemoBooking(
        "full", "agent", PEACE, "Deluxe Twin", PREPAID, 20, 2, ("陈刚", "陈丽"), "陈刚",
        "139 2468 1357", "phone", call_seconds=230,
    ),
)  # fmt: skip
MODIFY_REASON = "客人延住一晚 / the guests stay one night longer"
CANCEL_REASON = "客人行程取消 / the guest's trip was called off"
REJECT_NOTE = "低于本月底价线，可给1980元 / below this month's floor; 1980 is possible"
HOTEL_CONFIRMATION_NO = {"confirmed": "FPH2612-0457", "same_day_confirmed": "JJ-20451"}
FULL_REASON = "酒店会议包房，全部客满 / a conference has taken the whole hotel"
ON_REQUEST_NIGHTS = (JINJIANG, "Standard Twin", 14, 15)  # room status on request, HR-2

ACCOUNT = AccountIn(
    company_name="远景科技有限公司 Yuanjing Technology",
    contact_name="赵磊",
    phone="010-8456 7788",
    email="travel@yuanjing.example",
    terms="年度协议：房价九二折，统一开票 / annual agreement: 8% off, one invoice",
    discount_percent=Decimal(8),
)


@dataclass(frozen=True)
class DemoGroup:
    hotel: str
    room_type: str
    day: int
    nights: int
    rooms: tuple[tuple[str, ...], ...]  # guest names per room; () = not known yet
    place: bool
    requests: str = ""


DEMO_GROUPS: tuple[DemoGroup, ...] = (
    # Placed: four rooms booked at once, each line a booking for the confirmation desk.
    DemoGroup(
        QIANMEN, "Standard Double", 9, 2,
        (("赵磊",), ("钱伟", "孙丽"), ("周强",), ("吴敏",)), place=True,
        requests="年会团队，需要会议室 / annual meeting team, needs a meeting room",
    ),
    # A draft whose rooming list is not complete yet: unfinished on the group worklist.
    DemoGroup(
        HILTON, "King Guest Room", 15, 3, (("郑凯",), ("冯涛",), ()), place=False,
        requests="客户培训 / customer training",
    ),
)  # fmt: skip


# --- the load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    rate_plan_id: uuid.UUID
    payment_mode: str


@dataclass
class Loaded:
    staff: dict[str, Staff]
    plans: dict[tuple[str, str, str], Plan]
    refs: dict[str, str] = field(default_factory=dict)


STAFF = ("agent", "agent2", "teamlead", "confirm", "director", "resources", "service")


async def load_demo_desks(sessionmaker: Sessionmaker, *, force: bool = False) -> bool:
    """Load the desks' demo work unless it is there; False when skipped (done before, or no
    demo hotels or staff to work with). ``force`` runs every step even when the last one is
    done (each still skips what it finds: nothing is doubled)."""
    async with sessionmaker() as session:
        if not force and await demo_mail.kept(session, demo_mail.LAST_MESSAGE_ID):
            return False
        loaded = Loaded(await _staff(session), await _plans(session))
    if len(loaded.staff) < len(STAFF) or not loaded.plans:
        log.warning("demo_desks_skipped", reason="demo staff or hotels missing")
        return False
    async with running_pipeline():
        try:
            await load_steps(sessionmaker, loaded)
            await drained(sessionmaker)
        except (DemoNotReady, DomainError) as exc:
            # Start anyway: what was loaded stays, and the next start completes the rest.
            detail = exc.detail if isinstance(exc, DomainError) else str(exc)
            log.warning("demo_desks_incomplete", error=detail)
            return False
    return True


async def load_steps(sessionmaker: Sessionmaker, loaded: Loaded) -> None:
    """Every step in order; each one skips what it finds done (the module's doc)."""
    today = clock.today()
    staff = loaded.staff
    async with unit_of_work(sessionmaker) as session:
        await _members(session, staff["service"], today)
    async with unit_of_work(sessionmaker) as session:
        account = await _account(session, staff["teamlead"])
    async with unit_of_work(sessionmaker) as session:
        await _on_request_nights(session, staff["resources"], loaded, today)
    await wait_for("intake selling the demo hotels", lambda: _sellable(sessionmaker, loaded, today))
    for spec in DEMO_BOOKINGS:
        async with unit_of_work(sessionmaker) as session:
            loaded.refs[spec.key] = await _place(session, staff[spec.agent], loaded, spec, today)
    async with unit_of_work(sessionmaker) as session:
        await _reject_special(session, staff["director"], loaded.refs["special_rejected"])
    async with unit_of_work(sessionmaker) as session:
        await _modify(session, staff["agent"], loaded.refs["modified"])
    async with unit_of_work(sessionmaker) as session:
        await _cancel(session, staff["agent2"], loaded.refs["cancelled"])
    for group in DEMO_GROUPS:
        async with unit_of_work(sessionmaker) as session:
            await _group(session, staff["agent"], loaded, account, group, today)
    async with unit_of_work(sessionmaker) as session:
        await _free_rooms(session, staff["resources"], staff["director"], loaded, today)
    await _hotel_answers(sessionmaker, staff["confirm"], loaded)
    await _member_desk(sessionmaker, staff["service"], loaded, today)


async def _member_desk(
    sessionmaker: Sessionmaker, service: Staff, loaded: Loaded, today: date
) -> None:
    """Issue 18: points, a redemption, a complaint and a mailing batch to work on."""
    hotel_id = next(iter(loaded.plans.values())).hotel_id

    async def known() -> bool:
        async with sessionmaker() as session:
            return await demo_members.hotel_known(session, hotel_id)

    await wait_for("members knowing the demo hotels", known)
    async with unit_of_work(sessionmaker) as session:
        await demo_members.load_member_desk(session, service, hotel_id, today)


async def _free_rooms(
    session: AsyncSession, resources: Staff, director: Staff, loaded: Loaded, today: date
) -> None:
    """A contract's free rooms (HR-9): the resources desk asks for two nights for a colleague's
    inspection trip and the director approves; it waits for the general manager."""
    hotel_id = next(plan.hotel_id for key, plan in loaded.plans.items() if key[0] == PEACE)
    found = await session.scalar(
        select(free_room_grant.c.grant_id).where(free_room_grant.c.hotel_id == hotel_id)
    )
    if found is not None:
        return
    grant_id = await free_rooms.add_grant(
        session,
        actor=resources,
        data=free_rooms.GrantIn(
            hotel_id=hotel_id,
            room_nights_per_month=10,
            valid_from=today.replace(day=1),
            valid_to=today.replace(day=1) + timedelta(days=365),
            note="2 free room nights a month per 100 sold (2026 contract)",
        ),
    )
    use_id = await free_rooms.request_use(
        session,
        actor=resources,
        data=free_rooms.UseIn(
            grant_id=grant_id,
            first_night=today + timedelta(days=14),
            nights=2,
            traveller="周杰 Zhou Jie",
            purpose="酒店质量巡检 / quality inspection of the hotel",
        ),
    )
    await free_rooms.decide_use(session, actor=director, use_id=use_id, approve=True)


async def _staff(session: AsyncSession) -> dict[str, Staff]:
    found = {}
    for username in STAFF:
        user = await gateway_repository.find_user(session, username)
        if user is not None:
            roles = tuple(str(role) for role in user.roles)
            found[username] = Staff(user.user_id, user.username, user.display_name, roles, "")
    return found


async def _plans(session: AsyncSession) -> dict[tuple[str, str, str], Plan]:
    """(hotel, room type, rate plan) of the demo hotels, as hotel resources filed them."""
    plans: dict[tuple[str, str, str], Plan] = {}
    for name in (CW, HILTON, QIANMEN, PEACE, JINJIANG):
        found, _ = await hotels.search_hotels(session, text=name, page=1)
        hotel = next((h for h in found if h.name_en == name), None)
        if hotel is None:
            return {}
        room_names = {
            r.room_type_id: r.name for r in await hotels.room_types(session, hotel.hotel_id)
        }
        for plan in await hotels.rate_plans(session, hotel.hotel_id):
            key = (name, room_names[plan.room_type_id], plan.name)
            plans[key] = Plan(
                hotel.hotel_id, plan.room_type_id, plan.rate_plan_id, plan.payment_mode
            )
    return plans


async def _members(session: AsyncSession, actor: Staff, today: date) -> None:
    """Customer service files the members; one has a major complaint flagged (IN-8)."""
    for demo in DEMO_MEMBERS:
        found = await members.list_members(session, q=demo.card_no)
        existing = next((m for m in found.members if m.card_no == demo.card_no), None)
        if existing is None:
            data = MemberIn(
                card_no=demo.card_no, name=demo.name, phones=list(demo.phones), level=demo.level
            )
            existing = await members.create_member(session, actor=actor, data=data)
        if demo.complaint and not existing.complaint_open:
            flag = ComplaintFlagIn(
                note=demo.complaint, complaint_on=today - timedelta(days=COMPLAINT_DAYS_AGO)
            )
            await members.set_complaint(
                session, actor=actor, member_id=existing.member_id, data=flag
            )


async def _account(session: AsyncSession, actor: Staff) -> AccountView:
    """A team lead opens the corporate account (IN-9)."""
    page = await group_accounts.list_accounts(session, q=ACCOUNT.company_name)
    for account in page.accounts:
        if account.company_name == ACCOUNT.company_name:
            return account
    return await group_accounts.create_account(session, actor=actor, data=ACCOUNT)


async def _on_request_nights(
    session: AsyncSession, actor: Staff, loaded: Loaded, today: date
) -> None:
    """Hotel resources sets two nights of a room type on request (HR-2), once."""
    if await _booking(session, "on_request") is not None:
        return
    hotel, room_type, first, last = ON_REQUEST_NIGHTS
    room_type_id = next(
        p.room_type_id for k, p in loaded.plans.items() if k[:2] == (hotel, room_type)
    )
    asked = RestrictionsIn(
        room_type_id=room_type_id,
        first_night=today + timedelta(days=first),
        last_night=today + timedelta(days=last),
        room_status="on_request",
    )
    await set_restrictions(session, actor=actor, data=asked)


async def _booking(session: AsyncSession, key: str) -> bookings.AnyRow | None:
    return await bookings.find_booking(session, idempotency_key=KEY_PREFIX + key)


def _stay(spec: DemoBooking | DemoGroup, today: date) -> tuple[date, date]:
    check_in = today + timedelta(days=spec.day)
    return check_in, check_in + timedelta(days=spec.nights)


async def _sellable(sessionmaker: Sessionmaker, loaded: Loaded, today: date) -> bool:
    """Intake can quote every stay still to book (on request where the demo set it)."""
    stays: list[tuple[str, str, str, DemoBooking | DemoGroup, int, bool]] = [
        (spec.hotel, spec.room_type, spec.plan, spec, 1, spec.key == "on_request")
        for spec in DEMO_BOOKINGS
    ]
    stays += [(g.hotel, g.room_type, PREPAID, g, len(g.rooms), False) for g in DEMO_GROUPS]
    async with sessionmaker() as session:
        for hotel, room_type, plan_name, spec, rooms, on_request in stays:
            if isinstance(spec, DemoBooking) and await _booking(session, spec.key) is not None:
                continue
            check_in, check_out = _stay(spec, today)
            plan = loaded.plans[(hotel, room_type, plan_name)]
            try:
                offer = await booking_service.quote(
                    session, rate_plan_id=plan.rate_plan_id, check_in=check_in,
                    check_out=check_out, rooms=rooms,
                )  # fmt: skip
            except DomainError:
                return False  # the hotel's contract, rooms or rates have not arrived yet
            if not offer.can_sell or offer.on_request != on_request:
                return False
    return True


async def _place(
    session: AsyncSession, agent: Staff, loaded: Loaded, spec: DemoBooking, today: date
) -> str:
    """The agent takes the call: opens the booking form for it (IN-1) and places it."""
    if (existing := await _booking(session, spec.key)) is not None:
        return str(existing.booking_ref)
    plan = loaded.plans[(spec.hotel, spec.room_type, spec.plan)]
    now = clock.now()
    form = await handle_time.open_form(
        session, agent, call_id=f"demo-{spec.key}",
        claimed_answered_at=now - timedelta(seconds=spec.call_seconds), now=now,
    )  # fmt: skip
    check_in, check_out = _stay(spec, today)
    request = BookingRequest(
        hotel_id=plan.hotel_id,
        rate_plan_id=plan.rate_plan_id,
        check_in=check_in,
        check_out=check_out,
        rooms=spec.rooms,
        guest_names=list(spec.guests),
        booker_name=spec.booker,
        booker_phone=spec.phone,
        booker_company=spec.company,
        member_card=spec.member_card,
        payment_mode=plan.payment_mode,  # type: ignore[arg-type]
        confirm_channel=spec.channel,  # type: ignore[arg-type]
        confirm_contact=spec.contact,
        reply_at_once=spec.reply_at_once,
        special_requests=spec.requests,
        arrival_time=spec.arrival,
        idempotency_key=KEY_PREFIX + spec.key,
        form_id=str(form.form_id),
        call_id=form.call_id,
        special_sell_minor=spec.special_yuan * 100 if spec.special_yuan else None,
        special_price_reason=spec.special_reason,
    )
    done = await booking_service.place_booking(session, staff=agent, request=request)
    return done.booking.booking_ref


async def _reject_special(session: AsyncSession, director: Staff, booking_ref: str) -> None:
    """The director refuses a special price (IN-11); the agent reads why on the booking."""
    booking = await booking_service.get_booking(session, booking_ref=booking_ref)
    if booking.status == placed.AWAITING_PRICE_APPROVAL:
        await special_prices.reject(
            session, staff=director, booking_ref=booking_ref, note=REJECT_NOTE
        )


async def _modify(session: AsyncSession, agent: Staff, booking_ref: str) -> None:
    booking = await booking_service.get_booking(session, booking_ref=booking_ref)
    if booking.version > 1:
        return
    change = ModifyRequest(
        version=booking.version,
        reason=MODIFY_REASON,
        reason_category="guest_request",
        check_out=booking.check_out + timedelta(days=1),
    )
    await changes.modify_booking(session, staff=agent, booking_ref=booking_ref, request=change)


async def _cancel(session: AsyncSession, agent: Staff, booking_ref: str) -> None:
    booking = await booking_service.get_booking(session, booking_ref=booking_ref)
    if booking.status == placed.CANCELLED:
        return
    cancel = CancelRequest(
        version=booking.version, reason=CANCEL_REASON, reason_category="guest_request"
    )
    await changes.cancel_booking(session, staff=agent, booking_ref=booking_ref, request=cancel)


async def _group(
    session: AsyncSession,
    agent: Staff,
    loaded: Loaded,
    account: AccountView,
    group: DemoGroup,
    today: date,
) -> None:
    """A group of the corporate account with its rooming list; placed, or left a draft."""
    plan = loaded.plans[(group.hotel, group.room_type, PREPAID)]
    check_in, check_out = _stay(group, today)
    worklist = await group_worklist(session, status="all")
    for row in worklist.groups:  # one demo group per hotel
        if row.company_name == account.company_name and row.hotel_name == group.hotel:
            return
    request = GroupRequest(
        account_id=account.account_id,
        hotel_id=plan.hotel_id,
        check_in=check_in,
        check_out=check_out,
        confirm_channel="email",
        special_requests=group.requests,
        rooms=[
            RoomIn(rate_plan=PREPAID, room_type=group.room_type, guest_names=list(guests))
            for guests in group.rooms
        ],
    )
    opened = await groups.open_group(
        session, staff=agent, request=request, lines=lines_of(request.rooms)
    )
    if group.place:
        await groups.place_group(session, staff=agent, group_id=opened.group_id)


async def _hotel_answers(sessionmaker: Sessionmaker, desk: Staff, loaded: Loaded) -> None:
    """Hotels answer: the confirmation desk records two confirmation numbers and one full
    house (CF-4, CF-3) and intake hears of each; then hotels' mails arrive (CF-4)."""
    refs = loaded.refs
    answers = {**HOTEL_CONFIRMATION_NO, "full": ""}  # booking key -> confirmation number
    for key, number in answers.items():
        task = await wait_for(
            f"the confirmation task of {refs[key]}", _task_of(sessionmaker, refs[key])
        )
        if task.state in ("confirmed", "full"):
            continue
        async with unit_of_work(sessionmaker) as session:
            if number:
                await confirmation_desk.record_confirmation(
                    session, task.task_id, desk, confirmation_no=number
                )
            else:
                await confirmation_desk.record_full_house(
                    session, task.task_id, desk, reason=FULL_REASON
                )
    for key, number in answers.items():
        wanted = placed.CONFIRMED if number else placed.FULL
        await wait_for(
            f"{refs[key]} {wanted} at the booking desk", _status_of(sessionmaker, refs[key], wanted)
        )
    peace = loaded.plans[(PEACE, "Fairmont King", PREPAID)].hotel_id
    await wait_for("the confirmation desk's file of the Peace Hotel", _on_file(sessionmaker, peace))
    async with unit_of_work(sessionmaker) as session:
        await demo_mail.receive_demo_mails(session, refs)


def _task_of(
    sessionmaker: Sessionmaker, booking_ref: str
) -> Callable[[], Awaitable[TaskView | None]]:
    async def check() -> TaskView | None:
        async with sessionmaker() as session:
            try:
                return await confirmation.get_task(session, booking_ref=booking_ref)
            except NotFound:
                return None

    return check


def _status_of(
    sessionmaker: Sessionmaker, booking_ref: str, status: str
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        async with sessionmaker() as session:
            booking = await booking_service.get_booking(session, booking_ref=booking_ref)
            return booking.status == status

    return check


def _on_file(sessionmaker: Sessionmaker, hotel_id: uuid.UUID) -> Callable[[], Awaitable[bool]]:
    """The hotel's contact has reached the confirmation desk (its mails are matched by it)."""

    async def check() -> bool:
        async with sessionmaker() as session:
            return await session.get(HotelContact, hotel_id) is not None

    return check
