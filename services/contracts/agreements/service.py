"""Hotel contracts and supplementary agreements: draft, submit, director sign-off (HR-1, HR-3).

Every version is kept. A version takes effect only when a resources director other than its
drafter or submitter approves it (HR-3, maker-checker); approving supersedes the previously
effective version. Submitting terms for a hotel whose average margin over the validity is under
10% needs a written reason, which the director sees in the approval queue (HR-4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.agreements.models import (
    TERM_LABELS,
    Contract,
    ContractVersion,
    Terms,
    TermsIn,
    with_defaults,
)
from services.contracts.auth import DESK_ROLES
from services.contracts.models import Hotel, NightRate, RatePlan
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolated
from shared.events.contracts import ContractEffectiveV1
from shared.events.outbox import publish
from shared.i18n import N_

MIN_AVERAGE_MARGIN = Decimal("0.10")  # HR-4
OPEN_STATES = ("drafted", "submitted")


async def average_margin(
    session: AsyncSession,
    *,
    hotel_id: uuid.UUID,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Decimal | None:
    """Mean of (sell - net) / sell over the hotel's priced nights (optionally within a
    validity); None when no night is priced."""
    per_night = cast(NightRate.sell_minor - NightRate.net_minor, Numeric) / NightRate.sell_minor
    query = (
        select(func.avg(per_night))
        .join(RatePlan, RatePlan.rate_plan_id == NightRate.rate_plan_id)
        .where(RatePlan.hotel_id == hotel_id, NightRate.sell_minor > 0)
    )
    if valid_from is not None:
        query = query.where(NightRate.night >= valid_from)
    if valid_to is not None:
        query = query.where(NightRate.night <= valid_to)
    margin = await session.scalar(query)
    return None if margin is None else Decimal(margin).quantize(Decimal("0.0001"))


def is_low_margin(margin: Decimal | None) -> bool:
    return margin is not None and margin < MIN_AVERAGE_MARGIN


def snapshot(version: ContractVersion) -> dict[str, Any]:
    return {
        "state": version.state,
        "version_no": version.version_no,
        "kind": version.kind,
        "submitted_margin": None
        if version.submitted_margin is None
        else str(version.submitted_margin),
        "low_margin_reason": version.low_margin_reason,
        "decided_by": version.decided_by,
        "decision_note": version.decision_note,
    }


async def _effective(session: AsyncSession, contract_id: uuid.UUID) -> ContractVersion | None:
    return await session.scalar(
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract_id, ContractVersion.state == "approved")
        .order_by(ContractVersion.version_no.desc())
        .limit(1)
    )


async def _add_version(
    session: AsyncSession, *, actor: Staff, contract: Contract, terms: TermsIn
) -> ContractVersion:
    """A new drafted version; the caller holds the contract's row lock."""
    versions = list(
        await session.scalars(
            select(ContractVersion).where(ContractVersion.contract_id == contract.contract_id)
        )
    )
    if any(v.state in OPEN_STATES for v in versions):
        raise Conflict(
            N_("This contract already has a version in the works; finish that one first.")
        )
    has_effective = any(v.state == "approved" for v in versions)
    version = ContractVersion(
        version_id=uuid.uuid4(),
        contract_id=contract.contract_id,
        version_no=max((v.version_no for v in versions), default=0) + 1,
        kind="supplement" if has_effective else "contract",
        terms=terms.model_dump(mode="json"),
        state="drafted",
        drafted_by=actor.username,
        drafted_at=clock.now(),
    )
    session.add(version)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="draft",
        entity="contract_version",
        entity_id=version.version_id,
        after={**snapshot(version), "terms": version.terms},
    )
    return version


async def draft_contract(
    session: AsyncSession, *, actor: Staff, hotel_id: uuid.UUID, terms: TermsIn
) -> ContractVersion:
    """Open a new contract for a hotel with its first (drafted) version (HR-1)."""
    ensure_role(actor, *DESK_ROLES)
    if await session.get(Hotel, hotel_id) is None:
        raise NotFound(N_("No such hotel."), field="hotel_id")
    contract = Contract(contract_id=uuid.uuid4(), hotel_id=hotel_id, created_by=actor.username)
    session.add(contract)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="contract",
        entity_id=contract.contract_id,
        after={"hotel_id": str(hotel_id)},
    )
    return await _add_version(session, actor=actor, contract=contract, terms=terms)


async def draft_version(
    session: AsyncSession, *, actor: Staff, contract_id: uuid.UUID, terms: TermsIn
) -> ContractVersion:
    """Draft a supplementary agreement (or, if nothing was ever approved, a new contract text)."""
    ensure_role(actor, *DESK_ROLES)
    contract = await session.get(Contract, contract_id, with_for_update=True)
    if contract is None:
        raise NotFound("No such contract.")
    return await _add_version(session, actor=actor, contract=contract, terms=terms)


async def locked_version(session: AsyncSession, version_id: uuid.UUID) -> ContractVersion:
    version = await session.get(ContractVersion, version_id, with_for_update=True)
    if version is None:
        raise NotFound("No such contract version.")
    return version


def check_revision(version: ContractVersion, seen: int | None) -> None:
    """Refuse acting on a draft someone changed after ``seen`` (when given)."""
    if seen is not None and seen != version.revision:
        raise Conflict(
            f"Someone saved this draft (now revision {version.revision}) after you opened "
            f"revision {seen}; nothing of yours was saved. Reload to read their terms first.",
            field="revision",
        )


async def submit_version(
    session: AsyncSession,
    *,
    actor: Staff,
    version_id: uuid.UUID,
    low_margin_reason: str,
    revision: int | None = None,
) -> ContractVersion:
    """Send a drafted version to the director; a low margin needs a written reason (HR-4).
    With ``revision``, refuse if the draft was edited after the submitter read it."""
    ensure_role(actor, *DESK_ROLES)
    version = await locked_version(session, version_id)
    if version.state != "drafted":
        raise Conflict(f"This version is already {version.state}.")
    check_revision(version, revision)
    contract = await session.get(Contract, version.contract_id)
    assert contract is not None
    terms = Terms.model_validate(version.terms)
    margin = await average_margin(
        session, hotel_id=contract.hotel_id, valid_from=terms.valid_from, valid_to=terms.valid_to
    )
    if is_low_margin(margin) and not low_margin_reason:
        raise RuleViolated(
            f"The hotel's average margin over the validity is {margin:.1%}, under 10%; "
            "write why this contract is still worth signing",
            rule="HR-4",
            field="low_margin_reason",
        )
    before = snapshot(version)
    version.state = "submitted"
    version.submitted_by = actor.username
    version.submitted_at = clock.now()
    version.submitted_margin = margin
    version.low_margin_reason = low_margin_reason or None
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="submit",
        entity="contract_version",
        entity_id=version.version_id,
        before=before,
        after=snapshot(version),
    )
    return version


async def decide_version(
    session: AsyncSession, *, actor: Staff, version_id: uuid.UUID, approve: bool, note: str
) -> ContractVersion:
    """The director signs (approve: it takes effect, superseding the last one) or rejects (HR-3)."""
    ensure_role(actor, Role.RESOURCES_DIRECTOR)
    version = await locked_version(session, version_id)
    if actor.username in (version.drafted_by, version.submitted_by):
        raise Forbidden("You cannot approve or reject a version you drafted or submitted.")  # HR-3
    if version.state != "submitted":
        raise Conflict(f"Only a submitted version can be decided; this one is {version.state}.")
    if not approve and not note:
        raise InvalidInput(N_("Say why the version is rejected."), field="note")
    superseded = await _effective(session, version.contract_id) if approve else None
    before = {**snapshot(version), "effective_version_id": _id(superseded)}
    version.state = "approved" if approve else "rejected"
    version.decided_by = actor.username
    version.decided_at = clock.now()
    version.decision_note = note or None
    await session.flush()
    after_effective = version if approve else superseded
    if approve:
        await _announce_effective(session, version)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="approve" if approve else "reject",
        entity="contract_version",
        entity_id=version.version_id,
        before=before,
        after={**snapshot(version), "effective_version_id": _id(after_effective)},
    )
    return version


async def _announce_effective(session: AsyncSession, version: ContractVersion) -> None:
    """Tell the booking desk the signed validity: only its nights are sold (HR-3)."""
    contract = await session.get(Contract, version.contract_id)
    assert contract is not None
    terms = Terms.model_validate(version.terms)
    payload = ContractEffectiveV1(
        hotel_id=contract.hotel_id,
        contract_id=contract.contract_id,
        version_id=version.version_id,
        version_no=version.version_no,
        valid_from=terms.valid_from,
        valid_to=terms.valid_to,
        payment_arrangement=terms.payment_arrangement,
        cancellation_terms=terms.cancellation_terms,
        guaranteed=terms.guaranteed,
        no_show_fee=terms.no_show_fee,
        no_show_fee_percent=terms.no_show_fee_percent,
        commission_percent=terms.commission_percent,
        monthly_settlement=terms.monthly_settlement,
        deposit_held_minor=terms.deposit_held_minor,
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())


def _id(version: ContractVersion | None) -> str | None:
    return None if version is None else str(version.version_id)


@dataclass(frozen=True)
class ContractView:
    contract: Contract
    versions: list[ContractVersion]  # newest first
    effective: ContractVersion | None
    margin: Decimal | None  # over the effective (else the newest) version's validity


@dataclass(frozen=True)
class HotelContracts:
    hotel: Hotel
    hotel_margin: Decimal | None
    contracts: list[ContractView]


async def _contract_view(session: AsyncSession, contract: Contract) -> ContractView:
    versions = list(
        await session.scalars(
            select(ContractVersion)
            .where(ContractVersion.contract_id == contract.contract_id)
            .order_by(ContractVersion.version_no.desc())
        )
    )
    effective = next((v for v in versions if v.state == "approved"), None)
    shown = effective or versions[0]
    margin = await average_margin(
        session,
        hotel_id=contract.hotel_id,
        valid_from=date.fromisoformat(shown.terms["valid_from"]),
        valid_to=date.fromisoformat(shown.terms["valid_to"]),
    )
    return ContractView(contract, versions, effective, margin)


async def hotel_contracts(session: AsyncSession, *, hotel_id: uuid.UUID) -> HotelContracts:
    hotel = await session.get(Hotel, hotel_id)
    if hotel is None:
        raise NotFound("No such hotel.")
    contracts = await session.scalars(
        select(Contract).where(Contract.hotel_id == hotel_id).order_by(Contract.created_at.desc())
    )
    return HotelContracts(
        hotel,
        await average_margin(session, hotel_id=hotel_id),
        [await _contract_view(session, c) for c in contracts],
    )


async def contract_view(
    session: AsyncSession, *, contract_id: uuid.UUID
) -> tuple[Hotel, ContractView]:
    contract = await session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("No such contract.")
    hotel = await session.get(Hotel, contract.hotel_id)
    assert hotel is not None
    return hotel, await _contract_view(session, contract)


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: Any
    after: Any
    changed: bool


@dataclass(frozen=True)
class VersionDetail:
    hotel: Hotel
    version: ContractVersion
    effective: bool
    compared_with: ContractVersion | None
    diff: list[DiffRow]


def diff_terms(before: dict[str, Any] | None, after: dict[str, Any]) -> list[DiffRow]:
    """Field by field; with nothing to compare against, every field counts as changed. A term
    added since a version was stored reads as its default there (issue 16)."""
    before = None if before is None else with_defaults(before)
    after = with_defaults(after)
    return [
        DiffRow(
            field,
            label,
            None if before is None else before.get(field),
            after.get(field),
            before is None or before.get(field) != after.get(field),
        )
        for field, label in TERM_LABELS.items()
    ]


async def version_detail(session: AsyncSession, *, version_id: uuid.UUID) -> VersionDetail:
    """A version with its diff against the effective one (or, for the effective version
    itself, against the version it superseded)."""
    version = await session.get(ContractVersion, version_id)
    if version is None:
        raise NotFound("No such contract version.")
    contract = await session.get(Contract, version.contract_id)
    assert contract is not None
    hotel = await session.get(Hotel, contract.hotel_id)
    assert hotel is not None
    effective = await _effective(session, version.contract_id)
    is_effective = effective is not None and effective.version_id == version.version_id
    base = effective
    if is_effective:
        base = await session.scalar(
            select(ContractVersion)
            .where(
                ContractVersion.contract_id == version.contract_id,
                ContractVersion.state == "approved",
                ContractVersion.version_no < version.version_no,
            )
            .order_by(ContractVersion.version_no.desc())
            .limit(1)
        )
    diff = diff_terms(None if base is None else base.terms, version.terms)
    return VersionDetail(hotel, version, is_effective, base, diff)


async def approval_queue(session: AsyncSession) -> list[tuple[ContractVersion, Hotel]]:
    """Submitted versions, oldest first, with their hotel (the director's queue)."""
    rows = await session.execute(
        select(ContractVersion, Hotel)
        .join(Contract, Contract.contract_id == ContractVersion.contract_id)
        .join(Hotel, Hotel.hotel_id == Contract.hotel_id)
        .where(ContractVersion.state == "submitted")
        .order_by(ContractVersion.submitted_at)
    )
    return [(version, hotel) for version, hotel in rows.all()]
