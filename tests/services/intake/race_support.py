"""Two real server processes and an agent logged in on each: the races of IN-4 and IN-5."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager

import httpx

from shared.auth import Role
from shared.db import unit_of_work
from tests.services.intake.helpers import Sessionmaker
from tests.support.clients import StaffClient, create_user
from tests.support.servers import server_process


@contextmanager
def two_web_processes() -> Iterator[list[str]]:
    """Two all-in-one web processes (no workers, no relay) against the test database."""
    with (
        server_process(workers=False, relay=False) as (first, _),
        server_process(workers=False, relay=False) as (second, _),
    ):
        yield [first, second]


async def agents_on(
    stack: AsyncExitStack,
    sessionmaker: Sessionmaker,
    base_urls: list[str],
    *,
    prefix: str,
    timeout: float = 60,
) -> list[StaffClient]:
    """One agent per server, logged in over real HTTP."""
    names = [f"{prefix}{n}" for n in range(len(base_urls))]
    async with unit_of_work(sessionmaker) as session:
        for name in names:
            await create_user(session, name, Role.AGENT)
    agents = []
    for name, base_url in zip(names, base_urls, strict=True):
        http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        client = await stack.enter_async_context(http)
        agents.append(await StaffClient(client).login(name))
    return agents
