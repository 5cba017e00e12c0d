"""The customer-service centre's demo work (issue 18), after ``demo_desks`` filed the members:
addresses for the card mailing, three members who joined online today (today's mailing batch
waits for the desk's button), points carried over from the previous member system, a reward
redemption waiting for the general manager, and a complaint about a demo hotel routed to hotel
resources with its SL-5 clocks running. Each step skips what it finds done."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.members import service as members
from services.members.complaints import service as complaints
from services.members.complaints.models import complaint, complaint_hotel
from services.members.points import ledger
from services.members.points.models import points_lot
from services.members.points.stays import add_months
from services.members.rewards import service as rewards
from services.members.rewards.models import redemption, reward
from services.members.service import MemberEdit, MemberIn, MemberView
from shared.auth import Staff
from shared.clock import clock

EXPIRY_MONTHS = 24


@dataclass(frozen=True)
class Address:
    card_no: str
    address: str
    postcode: str
    city: str
    email: str = ""


ADDRESSES: tuple[Address, ...] = (
    Address(
        "M80012345", "朝阳区建国路88号 SOHO现代城 3号楼 1201", "100022", "北京", "machao@example.cn"
    ),
    Address("M80023456", "海淀区中关村大街27号 5单元 302", "100080", "北京"),
    Address("M80034567", "徐汇区漕溪北路398号 1802室", "200030", "上海"),
)
# CS-4: joined on the web site today; their cards go out in today's mailing batch.
ONLINE_JOINERS: tuple[MemberIn, ...] = (
    MemberIn(
        card_no="M80056789", name="孙悦", phones=["135 5555 6666"], joined_via="online",
        address="天河区体育西路191号 中石化大厦 B座 2305", postcode="510620", city="广州",
    ),
    MemberIn(
        card_no="M80067890", name="何平", phones=["134 6666 7777"], joined_via="online",
        address="锦江区红星路三段1号 IFS 二号办公楼 18层", postcode="610021", city="成都",
    ),
    MemberIn(card_no="M80078901", name="高远", phones=["133 7777 8888"], joined_via="online"),
)  # fmt: skip
# Points a member brought from the system before roomline: active, expiring like a stay's.
OPENING_POINTS: dict[str, int] = {"M80012345": 12_000, "M80023456": 3_500}
REDEEMING_CARD, REDEEMED_REWARD = "M80012345", "MOVIE-2"
DEMO_REWARD = rewards.RewardIn(
    code=REDEEMED_REWARD, name_zh="电影票两张", name_en="Two cinema tickets", points=1000
)
COMPLAINING_CARD = "M80023456"


async def load_member_desk(
    session: AsyncSession, service: Staff, hotel_id: uuid.UUID, today: date
) -> None:
    """Every step in order, in one transaction (the caller's)."""
    by_card = {m.card_no: m for m in await _members(session)}
    for address in ADDRESSES:
        if (found := by_card.get(address.card_no)) and not found.address:
            await _give_address(session, service, found, address)
    for joiner in ONLINE_JOINERS:
        if joiner.card_no not in by_card:
            await members.create_member(session, actor=service, data=joiner)
    for card_no, points in OPENING_POINTS.items():
        if found := by_card.get(card_no):
            await _opening_points(session, found.member_id, card_no, points, today)
    if found := by_card.get(REDEEMING_CARD):
        await _redemption(session, service, found)
    if found := by_card.get(COMPLAINING_CARD):
        await _complaint(session, service, found, hotel_id)


async def hotel_known(session: AsyncSession, hotel_id: uuid.UUID) -> bool:
    """Members learnt the hotel from contracts' events (a complaint can name it)."""
    found = select(complaint_hotel.c.hotel_id).where(complaint_hotel.c.hotel_id == hotel_id)
    return await session.scalar(found) is not None


async def _members(session: AsyncSession) -> list[MemberView]:
    page = await members.list_members(session, q="")
    return page.members


async def _give_address(
    session: AsyncSession, actor: Staff, member: MemberView, address: Address
) -> None:
    data = MemberEdit(
        **member.model_dump(include={"card_no", "name", "phones", "level", "joined_via"}),
        email=address.email or member.email,
        address=address.address,
        postcode=address.postcode,
        city=address.city,
        version_no=member.version_no,
    )
    await members.update_member(session, actor=actor, member_id=member.member_id, data=data)


async def _opening_points(
    session: AsyncSession, member_id: uuid.UUID, card_no: str, points: int, today: date
) -> None:
    source = f"opening:{card_no}"
    if await session.scalar(select(points_lot.c.lot_id).where(points_lot.c.source == source)):
        return
    await ledger.earn(
        session,
        member_id=member_id,
        source=source,
        points=points,
        earned_at=clock.now(),
        final_on=today,
        expires_on=add_months(today, EXPIRY_MONTHS),
        actor="demo",
        note="由旧会员系统转入 / Carried over from the previous member system",
    )


async def _redemption(session: AsyncSession, actor: Staff, member: MemberView) -> None:
    taken = select(redemption.c.redemption_id).where(redemption.c.member_id == member.member_id)
    if await session.scalar(taken):
        return
    reward_id = await session.scalar(
        select(reward.c.reward_id).where(reward.c.code == REDEEMED_REWARD)
    )
    if reward_id is None:  # the migration's catalogue was emptied: the demo brings its own
        reward_id = await rewards.add_reward(session, actor=actor, data=DEMO_REWARD)
    form = rewards.RedemptionIn(
        member_id=member.member_id,
        reward_id=reward_id,
        delivery="post",
        office="北京办事处",
        address=member.address or ADDRESSES[0].address,
        confirmed=True,
    )
    await rewards.redeem(session, actor=actor, data=form)


async def _complaint(
    session: AsyncSession, actor: Staff, member: MemberView, hotel_id: uuid.UUID
) -> None:
    if await session.scalar(
        select(complaint.c.complaint_id).where(complaint.c.member_id == member.member_id)
    ):
        return
    form = complaints.ComplaintIn(
        member_id=member.member_id,
        complainant_name=member.name,
        contact_phone=member.phones[0] if member.phones else "",
        member_card=member.card_no,
        hotel_id=hotel_id,
        category="cleanliness",
        severity="minor",
        summary="入住当晚房间地毯有污渍，前台答应更换房间但等了一个小时。"
        " / Stained carpet on the first night; the front desk promised another room but it "
        "took an hour.",
        department="hotel_resources",
    )
    await complaints.file_complaint(session, actor=actor, data=form)
