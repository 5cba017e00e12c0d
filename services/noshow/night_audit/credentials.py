"""Night-audit API credentials: a hotel's or channel manager's machine login (HTTP Basic) to
``POST /api/night-audit``, limited to its hotels. The mechanism (argon2 hash, secret shown
once, decoy check, revoke keeps the row) is the kit's (``shared.machine_credentials``), as
for contracts' channel managers; this desk keeps its own table and audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.models import AuditCredential, HotelTerms, StayBooking
from services.noshow.settings import SCHEMA
from shared import audit
from shared import machine_credentials as credentials
from shared.auth import SESSION_COOKIE, Role, RoleRequirement, Staff, current_staff, ensure_role
from shared.clock import clock
from shared.db import DbSession
from shared.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, wants_html
from shared.i18n import N_
from shared.limits import Uuid
from shared.machine_credentials import NAME_PATTERN, parse_basic, scope_of
from shared.observability import get_logger
from shared.throttle import CHANNEL, CHANNEL_ADDRESS, Guard, client_address, throttle_for

log = get_logger(__name__)
KEEPER_ROLES = (Role.ADMIN, Role.TEAM_LEAD)  # an admin or the desk's lead
CHALLENGE = {"www-authenticate": 'Basic realm="roomline night audit", charset="UTF-8"'}


class CredentialIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, max_length=credentials.NAME_LENGTH)
    all_hotels: bool = False
    hotel_ids: list[Uuid] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def hotels_chosen(self) -> CredentialIn:
        if self.all_hotels == bool(self.hotel_ids):
            raise ValueError(N_("choose either all hotels or a list of hotel codes, not both"))
        return self


@dataclass(frozen=True, slots=True)
class Created:
    credential: AuditCredential
    secret: str  # the only moment it exists in clear


async def create(session: AsyncSession, *, actor: Staff, data: CredentialIn) -> Created:
    """A credential for the named hotels (or all); the secret is returned once."""
    ensure_role(actor, *KEEPER_ROLES)
    hotel_ids = list(dict.fromkeys(data.hotel_ids))
    known = union(
        select(StayBooking.hotel_id).where(StayBooking.hotel_id.in_(hotel_ids)),
        select(HotelTerms.hotel_id).where(HotelTerms.hotel_id.in_(hotel_ids)),
    )
    found = set(await session.scalars(select(known.subquery().c.hotel_id)))
    if missing := [str(h) for h in hotel_ids if h not in found]:
        raise InvalidInput(f"No hotel with code {', '.join(missing)}.", field="hotel_ids")
    if await credentials.live(session, AuditCredential, data.name) is not None:
        raise Conflict(f"A live credential is already named {data.name}.", field="name")
    secret = credentials.new_secret()
    credential = AuditCredential(
        credential_id=uuid.uuid4(),
        name=data.name,
        secret_hash=await credentials.hash_secret(secret),
        all_hotels=data.all_hotels,
        hotel_ids=hotel_ids,
        created_by=actor.username,
        created_at=clock.now(),
    )
    session.add(credential)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same name at the same moment (the unique index)
        raise Conflict(f"A live credential is already named {data.name}.", field="name") from exc
    after = {
        "name": data.name,
        "all_hotels": data.all_hotels,
        "hotel_ids": [str(h) for h in hotel_ids],
    }
    await _audit(session, actor, "create", credential, after)  # never the secret nor its hash
    return Created(credential, secret)


async def revoke(session: AsyncSession, *, actor: Staff, credential_id: uuid.UUID) -> None:
    """Revoke at once: the credential's next call gets 401."""
    ensure_role(actor, *KEEPER_ROLES)
    credential = await session.get(AuditCredential, credential_id, with_for_update=True)
    if credential is None:
        raise NotFound(f"No night-audit credential {credential_id}.")
    if credential.revoked_at is not None:
        raise Conflict(f"{credential.name} was already revoked by {credential.revoked_by}.")
    credential.revoked_by, credential.revoked_at = actor.username, clock.now()
    await session.flush()
    await _audit(session, actor, "revoke", credential, {"name": credential.name})


async def listing(session: AsyncSession) -> list[AuditCredential]:
    """Every credential, live ones first, by name."""
    query = select(AuditCredential).order_by(
        AuditCredential.revoked_at.is_not(None), func.lower(AuditCredential.name)
    )
    return list(await session.scalars(query))


async def _audit(
    session: AsyncSession,
    actor: Staff,
    action: str,
    credential: AuditCredential,
    after: dict[str, object],
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="audit_credential",
        entity_id=credential.credential_id,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls the night-audit API: ``api:<name>`` and its hotels, or a refusal (401/429)."""

    actor: str = ""
    hotel_ids: frozenset[uuid.UUID] | None = None  # None: any hotel
    refusal: str = ""
    status: int = 401
    retry_after: int = 0


async def machine_caller(request: Request, session: AsyncSession) -> Caller:
    """A live credential in ``Authorization: Basic``, else a refusal. Failures are throttled
    by name and address like channel managers' (shared.throttle)."""
    throttle, address = throttle_for(request.app), client_address(request)
    parsed = parse_basic(request.headers.get("authorization", ""))
    if parsed is None:
        await throttle.failed(Guard(CHANNEL_ADDRESS, address))
        return Caller(refusal="send HTTP Basic credentials: the credential's name and secret")
    name, secret = parsed
    guards = (Guard(CHANNEL, f"noshow:{name[:80]}"), Guard(CHANNEL_ADDRESS, address))
    try:
        await throttle.check(*guards)
    except TooManyAttempts as exc:
        return Caller(refusal=exc.detail, status=429, retry_after=exc.retry_after)
    credential = await credentials.authenticate(session, AuditCredential, name=name, secret=secret)
    if credential is None:
        await throttle.failed(*guards)
        log.warning("audit_credential_refused", name=name[:40])
        return Caller(refusal="the night-audit credential is unknown, wrong or revoked")
    return Caller(actor=credential.actor, hotel_ids=scope_of(credential))


class MachineOrStaff(RoleRequirement):
    """The API's route dependency: a night-audit credential (HTTP Basic, no session, no CSRF
    token: a browser never sends these on its own and the body is JSON), or a staff session
    with its CSRF token holding one of ``roles``. A ``RoleRequirement`` so the role matrix
    reads the roles the staff path admits."""

    # FastAPI reads this signature (request and session), not the base class's.
    async def __call__(  # type: ignore[override]
        self, request: Request, session: DbSession
    ) -> Caller:
        if request.headers.get("authorization"):
            return await machine_caller(request, session)
        if SESSION_COOKIE not in request.cookies and not wants_html(request):
            return Caller(refusal="authenticate with HTTP Basic (a night-audit credential)")
        staff = await super().__call__(await current_staff(request))
        return Caller(actor=staff.username)
