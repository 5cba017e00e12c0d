"""Channel-manager credentials: how a channel manager's machine sends OTA messages without
logging in as a person (HR-2).

A resources director (or an admin) creates a credential with a name and the hotels it may
update (or all hotels); the secret is generated, shown once and kept only as an argon2 hash
(``shared.machine_credentials``, shared with the no-show desk's night-audit feeds).
Revoking keeps the row, so the audit trail's ``channel:<name>`` stays explained, and frees
the name for a new credential.

The OTA endpoints take HTTP Basic (``<name>:<secret>``), which AlpineBits servers use, next
to the staff session. ``OtaSender`` resolves the caller:

- an ``Authorization`` header: HTTP Basic with a live credential, else a refusal (the
  endpoint answers 401 with ``WWW-Authenticate: Basic``). No session and no CSRF token: a
  machine has neither. CSRF does not apply because a browser never attaches these
  credentials on its own (we never ask a browser for them), and the endpoints take only an
  XML content type, which a cross-site form cannot send without a CORS preflight we refuse;
- no header and no session cookie, from a non-browser client: a refusal with the Basic
  challenge, so clients that send credentials only when challenged (Java, .NET) work;
- otherwise the staff path of every route: session, CSRF token, one of the desk's roles.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.channel_managers.models import ChannelManager
from services.contracts.models import Hotel
from services.contracts.settings import SCHEMA
from shared import audit
from shared import machine_credentials as credentials
from shared.auth import (
    SESSION_COOKIE,
    Role,
    RoleRequirement,
    Staff,
    current_staff,
    ensure_role,
)
from shared.clock import clock
from shared.db import DbSession
from shared.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, wants_html
from shared.i18n import N_
from shared.limits import Uuid
from shared.machine_credentials import NAME_PATTERN, parse_basic, scope_of
from shared.observability import get_logger
from shared.throttle import (
    CHANNEL,
    CHANNEL_ADDRESS,
    Guard,
    LoginThrottle,
    client_address,
    throttle_for,
)

log = get_logger(__name__)
MANAGER_ROLES = (Role.RESOURCES_DIRECTOR, Role.ADMIN)


class ChannelManagerIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    all_hotels: bool = False
    hotel_ids: list[Uuid] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def hotels_chosen(self) -> ChannelManagerIn:
        if self.all_hotels == bool(self.hotel_ids):
            raise ValueError(N_("choose either all hotels or a list of hotel codes, not both"))
        return self


@dataclass(frozen=True, slots=True)
class Created:
    """A new credential and its secret: the only moment the secret exists in clear."""

    channel_manager: ChannelManager
    secret: str


async def create(session: AsyncSession, *, actor: Staff, data: ChannelManagerIn) -> Created:
    """Create a credential for the named hotels (or all); the secret is returned once."""
    ensure_role(actor, *MANAGER_ROLES)  # a machine login to the grid: checked again here
    hotel_ids = list(dict.fromkeys(data.hotel_ids))
    found = set(await session.scalars(select(Hotel.hotel_id).where(Hotel.hotel_id.in_(hotel_ids))))
    if missing := [str(h) for h in hotel_ids if h not in found]:
        raise InvalidInput(f"No hotel with code {', '.join(missing)}.", field="hotel_ids")
    if await _live(session, data.name) is not None:
        raise Conflict(f"A live credential is already named {data.name}.", field="name")
    secret = credentials.new_secret()
    manager = ChannelManager(
        channel_manager_id=uuid.uuid4(),
        name=data.name,
        secret_hash=await credentials.hash_secret(secret),
        all_hotels=data.all_hotels,
        hotel_ids=hotel_ids,
        created_by=actor.username,
        created_at=clock.now(),
    )
    session.add(manager)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same name created at the same moment (the unique index)
        raise Conflict(f"A live credential is already named {data.name}.", field="name") from exc
    # Never the secret nor its hash: the audit trail is readable by more people than the key.
    after = {
        "name": data.name,
        "all_hotels": data.all_hotels,
        "hotel_ids": [str(h) for h in hotel_ids],
    }
    await _audit(session, actor, "create", manager, after)
    return Created(manager, secret)


async def revoke(session: AsyncSession, *, actor: Staff, channel_manager_id: uuid.UUID) -> None:
    """Revoke a credential at once: its next request gets 401."""
    ensure_role(actor, *MANAGER_ROLES)
    manager = await session.get(ChannelManager, channel_manager_id, with_for_update=True)
    if manager is None:
        raise NotFound(f"No channel-manager credential {channel_manager_id}.")
    if manager.revoked_at is not None:
        raise Conflict(f"{manager.name} was already revoked by {manager.revoked_by}.")
    manager.revoked_by, manager.revoked_at = actor.username, clock.now()
    await session.flush()
    await _audit(session, actor, "revoke", manager, {"name": manager.name})


async def listing(session: AsyncSession) -> list[ChannelManager]:
    """Every credential, live ones first, by name."""
    query = select(ChannelManager).order_by(
        ChannelManager.revoked_at.is_not(None), func.lower(ChannelManager.name)
    )
    return list(await session.scalars(query))


async def hotel_names(
    session: AsyncSession, managers: list[ChannelManager]
) -> dict[uuid.UUID, str]:
    """The English names of the hotels the credentials name, by hotel id."""
    ids = {hotel_id for manager in managers for hotel_id in manager.hotel_ids}
    query = select(Hotel.hotel_id, Hotel.name_en).where(Hotel.hotel_id.in_(ids))
    return {row.hotel_id: row.name_en for row in await session.execute(query)}


async def _live(session: AsyncSession, name: str) -> ChannelManager | None:
    return await credentials.live(session, ChannelManager, name)


async def _audit(
    session: AsyncSession,
    actor: Staff,
    action: str,
    manager: ChannelManager,
    after: dict[str, object],
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="channel_manager",
        entity_id=manager.channel_manager_id,
        after=after,
    )


async def authenticate(session: AsyncSession, *, name: str, secret: str) -> ChannelManager | None:
    """The live credential named ``name`` if ``secret`` is its secret, else None (an unknown
    name is checked against a decoy hash, as slowly: shared.machine_credentials)."""
    return await credentials.authenticate(session, ChannelManager, name=name, secret=secret)


@dataclass(frozen=True, slots=True)
class OtaCaller:
    """Who sends an OTA message: a staff member, or ``channel:<name>`` with its hotels.

    ``refusal`` is set when the caller must authenticate with HTTP Basic; the endpoint then
    answers 401 itself, because the shared error handler sends no ``WWW-Authenticate``."""

    actor: Staff | str = ""
    hotel_ids: frozenset[uuid.UUID] | None = None  # None: any hotel
    refusal: str = ""
    refusal_status: int = 401  # 429 once the name or address used up its failures
    retry_after: int = 0


async def channel_caller(
    session: AsyncSession, header: str, *, throttle: LoginThrottle, address: str
) -> OtaCaller:
    """The caller named by an ``Authorization`` header, or a refusal. Failures are throttled
    by credential name and by client address like staff logins (shared.throttle)."""
    credentials = parse_basic(header)
    if credentials is None:
        await throttle.failed(Guard(CHANNEL_ADDRESS, address))
        return OtaCaller(refusal="send HTTP Basic credentials: channel-manager name and secret")
    name, secret = credentials
    guards = (Guard(CHANNEL, name[:80]), Guard(CHANNEL_ADDRESS, address))
    try:
        await throttle.check(*guards)
    except TooManyAttempts as exc:
        return OtaCaller(refusal=exc.detail, refusal_status=429, retry_after=exc.retry_after)
    manager = await authenticate(session, name=name, secret=secret)
    if manager is None:
        await throttle.failed(*guards)
        log.warning("channel_manager_refused", name=name[:40])
        return OtaCaller(refusal="the channel-manager credential is unknown, wrong or revoked")
    return OtaCaller(actor=manager.actor, hotel_ids=scope_of(manager))


class StaffOrChannel(RoleRequirement):
    """The OTA endpoints' route dependency: a channel manager's HTTP Basic credential, or a
    staff session (with its CSRF token) holding one of ``roles``; see the module's docs.

    A ``RoleRequirement`` so that route checks (tests/shared/test_role_matrix.py) read the
    roles the staff path admits."""

    # FastAPI reads this signature (request and session), not the base class's.
    async def __call__(  # type: ignore[override]
        self, request: Request, session: DbSession
    ) -> OtaCaller:
        header = request.headers.get("authorization")
        if header:
            throttle, address = throttle_for(request.app), client_address(request)
            return await channel_caller(session, header, throttle=throttle, address=address)
        if SESSION_COOKIE not in request.cookies and not wants_html(request):
            return OtaCaller(refusal="authenticate with HTTP Basic (a channel-manager credential)")
        staff = await super().__call__(await current_staff(request))
        return OtaCaller(actor=staff)
