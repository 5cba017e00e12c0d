"""Changing a contract version before the director signs it (HR-3): the drafter (or a
colleague) corrects a drafted version's terms, or withdraws a drafted or submitted version.

Each drafted version carries a ``revision``; an edit or a submit names the revision its author
saw, so when two people work on the same draft the second save is refused with who changed it,
instead of silently overwriting (or submitting terms the submitter never read).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.agreements.models import ContractVersion, TermsIn
from services.contracts.agreements.service import (
    OPEN_STATES,
    check_revision,
    locked_version,
    snapshot,
)
from services.contracts.auth import DESK_ROLES
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, InvalidInput
from shared.i18n import N_


async def edit_version(
    session: AsyncSession,
    *,
    actor: Staff,
    version_id: uuid.UUID,
    terms: TermsIn,
    revision: int | None,
) -> ContractVersion:
    """Replace a drafted version's terms; submitted or decided versions are frozen."""
    ensure_role(actor, *DESK_ROLES)
    version = await locked_version(session, version_id)
    if version.state != "drafted":
        raise Conflict(f"Only a drafted version can be edited; this one is {version.state}.")
    check_revision(version, revision)
    before = {**snapshot(version), "terms": version.terms, "revision": version.revision}
    version.terms = terms.model_dump(mode="json")
    version.revision += 1
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="edit",
        entity="contract_version",
        entity_id=version.version_id,
        before=before,
        after={**snapshot(version), "terms": version.terms, "revision": version.revision},
    )
    return version


async def withdraw_version(
    session: AsyncSession, *, actor: Staff, version_id: uuid.UUID, reason: str
) -> ContractVersion:
    """Take a drafted or submitted version back; it stays readable, marked withdrawn, and the
    contract is free for a new version."""
    ensure_role(actor, *DESK_ROLES)
    if not reason.strip():
        raise InvalidInput(N_("Say why the version is withdrawn."), field="reason")
    version = await locked_version(session, version_id)
    if version.state not in OPEN_STATES:
        raise Conflict(
            f"Only a drafted or submitted version can be withdrawn; this one is {version.state}."
        )
    before = snapshot(version)
    version.state = "withdrawn"
    version.decided_by = actor.username
    version.decided_at = clock.now()
    version.decision_note = reason.strip()
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="withdraw",
        entity="contract_version",
        entity_id=version.version_id,
        before=before,
        after=snapshot(version),
    )
    return version
