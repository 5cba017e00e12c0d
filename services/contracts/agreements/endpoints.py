"""The JSON API of hotel contracts and supplementary agreements (HR-1, HR-3, HR-4), under ``/api``.

The desk (hotel resources and the director) drafts, submits and reads; only the director
approves or rejects, and never a version they drafted or submitted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.contracts.agreements import edits as agreement_edits
from services.contracts.agreements import service as agreements
from services.contracts.agreements.models import (
    ApprovalOut,
    ContractOut,
    DecisionIn,
    DiffRowOut,
    EditIn,
    HotelContractsOut,
    SubmitIn,
    TermsIn,
    VersionDetailOut,
    VersionOut,
    WithdrawIn,
)
from services.contracts.auth import DESK_ROLES
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.limits import Uuid

router = APIRouter(prefix="/api", tags=["contracts"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Director = Annotated[Staff, require(Role.RESOURCES_DIRECTOR)]


def _contract_out(view: agreements.ContractView) -> ContractOut:
    return ContractOut(
        contract_id=view.contract.contract_id,
        hotel_id=view.contract.hotel_id,
        effective_version_id=None if view.effective is None else view.effective.version_id,
        margin=view.margin,
        versions=[VersionOut.model_validate(v) for v in view.versions],
    )


@router.get("/hotels/{hotel_id}/contracts")
async def api_hotel_contracts(
    hotel_id: Uuid, session: DbSession, staff: DeskStaff
) -> HotelContractsOut:
    """A hotel's contracts with every version, the effective one and the margins (HR-4)."""
    found = await agreements.hotel_contracts(session, hotel_id=hotel_id)
    return HotelContractsOut(
        hotel_id=hotel_id,
        hotel_margin=found.hotel_margin,
        contracts=[_contract_out(c) for c in found.contracts],
    )


@router.post("/hotels/{hotel_id}/contracts", status_code=201)
async def api_draft_contract(
    hotel_id: Uuid, data: TermsIn, session: DbSession, staff: DeskStaff
) -> VersionOut:
    """Draft a new contract for a hotel (version 1, not in effect until approved)."""
    version = await agreements.draft_contract(session, actor=staff, hotel_id=hotel_id, terms=data)
    return VersionOut.model_validate(version)


@router.get("/contracts/{contract_id}")
async def api_contract(contract_id: Uuid, session: DbSession, staff: DeskStaff) -> ContractOut:
    """One contract with every version and its margin over the validity (HR-4)."""
    _, view = await agreements.contract_view(session, contract_id=contract_id)
    return _contract_out(view)


@router.post("/contracts/{contract_id}/versions", status_code=201)
async def api_draft_version(
    contract_id: Uuid, data: TermsIn, session: DbSession, staff: DeskStaff
) -> VersionOut:
    """Draft a supplementary agreement: the full amended terms."""
    version = await agreements.draft_version(
        session, actor=staff, contract_id=contract_id, terms=data
    )
    return VersionOut.model_validate(version)


@router.post("/versions/{version_id}/submit")
async def api_submit(
    version_id: Uuid, data: SubmitIn, session: DbSession, staff: DeskStaff
) -> VersionOut:
    """Send a drafted version to the director; under 10% margin needs a reason (HR-4)."""
    version = await agreements.submit_version(
        session,
        actor=staff,
        version_id=version_id,
        low_margin_reason=data.low_margin_reason,
        revision=data.revision,
    )
    return VersionOut.model_validate(version)


@router.put("/versions/{version_id}")
async def api_edit_version(
    version_id: Uuid, data: EditIn, session: DbSession, staff: DeskStaff
) -> VersionOut:
    """Replace a drafted version's terms; 409 if someone saved it after ``revision`` (HR-3)."""
    version = await agreement_edits.edit_version(
        session, actor=staff, version_id=version_id, terms=data.terms, revision=data.revision
    )
    return VersionOut.model_validate(version)


@router.post("/versions/{version_id}/withdraw")
async def api_withdraw_version(
    version_id: Uuid, data: WithdrawIn, session: DbSession, staff: DeskStaff
) -> VersionOut:
    """Take back a drafted or submitted version, saying why; it stays readable."""
    version = await agreement_edits.withdraw_version(
        session, actor=staff, version_id=version_id, reason=data.reason
    )
    return VersionOut.model_validate(version)


@router.get("/approvals")
async def api_approvals(session: DbSession, staff: Director) -> list[ApprovalOut]:
    """Versions awaiting the director, low margins flagged with their reason (HR-3, HR-4)."""
    return [
        ApprovalOut(
            version=VersionOut.model_validate(version),
            hotel_id=hotel.hotel_id,
            hotel_name=hotel.name_en,
            low_margin=agreements.is_low_margin(version.submitted_margin),
        )
        for version, hotel in await agreements.approval_queue(session)
    ]


@router.get("/versions/{version_id}")
async def api_version(version_id: Uuid, session: DbSession, staff: DeskStaff) -> VersionDetailOut:
    """A version with its field-by-field diff against the effective one."""
    detail = await agreements.version_detail(session, version_id=version_id)
    compared = detail.compared_with
    return VersionDetailOut(
        version=VersionOut.model_validate(detail.version),
        effective=detail.effective,
        compared_with=None if compared is None else VersionOut.model_validate(compared),
        diff=[DiffRowOut(**row.__dict__) for row in detail.diff],
    )


@router.post("/versions/{version_id}/approve")
async def api_approve(
    version_id: Uuid, data: DecisionIn, session: DbSession, staff: Director
) -> VersionOut:
    """The director signs: the version takes effect, superseding the previous one (HR-3)."""
    version = await agreements.decide_version(
        session, actor=staff, version_id=version_id, approve=True, note=data.note
    )
    return VersionOut.model_validate(version)


@router.post("/versions/{version_id}/reject")
async def api_reject(
    version_id: Uuid, data: DecisionIn, session: DbSession, staff: Director
) -> VersionOut:
    """The director refuses a version, saying why; it never takes effect (HR-3)."""
    version = await agreements.decide_version(
        session, actor=staff, version_id=version_id, approve=False, note=data.note
    )
    return VersionOut.model_validate(version)
