"""Demo data for ``make run``: one user per role, a few hotels with 60 days of rates, and work
on every desk (members, bookings in each state, a group, confirmation tasks, hotels' replies:
``workers.demo_desks``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway import repository as gateway_repository
from services.gateway import service as gateway_service
from services.gateway.schemas import NewStaff
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from workers.demo_desks import load_demo_desks

# user name -> (display name, role). Each demo password is "demo-" + the user name.
DEMO_USERS: dict[str, tuple[str, Role]] = {
    "agent": ("Li Na", Role.AGENT),
    "agent2": ("Wang Fang", Role.AGENT),
    "teamlead": ("Zhang Wei", Role.TEAM_LEAD),
    "confirm": ("Chen Jing", Role.CONFIRMATION_DESK),
    "noshow": ("Liu Yang", Role.NOSHOW_DESK),
    "collect": ("Zhao Min", Role.COLLECT_DESK),
    "finance": ("Sun Lei", Role.FINANCE),
    "resources": ("Zhou Jie", Role.HOTEL_RESOURCES),
    "director": ("Wu Hua", Role.RESOURCES_DIRECTOR),
    "service": ("Xu Li", Role.CUSTOMER_SERVICE),
    "manager": ("Hu Gang", Role.GENERAL_MANAGER),
    "admin": ("Administrator", Role.ADMIN),
}


def demo_password(username: str) -> str:
    return f"demo-{username}-pw"


async def load_demo_users(session: AsyncSession) -> int:
    created = 0
    for username, (display_name, role) in DEMO_USERS.items():
        if await gateway_repository.find_user(session, username):
            continue
        new = NewStaff(
            username=username,
            display_name=display_name,
            password=demo_password(username),
            roles=[role],
        )
        await gateway_service.create_staff(session, actor="demo-loader", new=new)
        created += 1
    return created


async def load_demo(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with unit_of_work(sessionmaker) as session:
        await load_demo_users(session)
    try:
        from services.contracts.demo import load_demo_hotels
    except ImportError:  # the contracts desk ships its demo hotels with its own code
        return
    async with unit_of_work(sessionmaker) as session:
        await load_demo_hotels(session, actor="demo-loader", today=clock.today())
    await load_demo_desks(sessionmaker)
