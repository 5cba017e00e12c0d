"""The rewards pages (CS-2); the JSON API for redeem and the decisions is in ``api``.

- ``GET /rewards``: the catalogue (customer service adds and edits) and every redemption,
  filtered by status, a page at a time;
- ``GET /rewards/redeem?member_id=…``: the member's active points and the redemption form;
- ``GET /rewards/approvals``: the general manager approves or rejects what awaits a decision;
- ``GET /rewards/batch?quarter=…``: the quarter's prizes to buy, and approved exceptions to
  send now; ``GET /rewards/redemptions/{id}``: one redemption with its next step; after
  delivery its confirmation letter (``letter.pdf``).

A refused form shows again with its errors and changes nothing (one commit rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.rewards import api, letter, service
from services.members.rewards.access import DECIDE, DESK, READ
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import Code, PageNumber, Uuid
from shared.web import form_data, render, see_other

router = APIRouter(tags=["members"])
router.include_router(api.router)
Reader = Annotated[Staff, require(*READ)]
Desk = Annotated[Staff, require(*DESK)]
Manager = Annotated[Staff, require(*DECIDE)]
StatusFilter = Literal[
    "", "submitted", "approved", "rejected", "withdrawn", "purchased", "delivered"
]
SAVED = {
    "added": N_("Reward added."),
    "edited": N_("Reward saved."),
    "submitted": N_("Redemption sent to the general manager for approval."),
    "approved": N_("Approved: the points are spent."),
    "rejected": N_("Rejected: the points went back to the member."),
    "withdrawn": N_("Withdrawn: the points went back to the member."),
    "purchased": N_("Marked as bought."),
    "delivered": N_("Marked as delivered; the confirmation letter can be printed."),
}
Page = Callable[[AsyncSession], Awaitable[Response]]


def _checked(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "") in ("true", "on", "1")


def _notice(saved: str) -> str:
    return _(SAVED[saved]) if saved in SAVED else ""


# --- Catalogue and list -----------------------------------------------------------------------


async def _rewards_page(
    request: Request, session: AsyncSession, staff: Staff, status: str, page: int, *,
    saved: str = "", error: str | FieldErrors = "", code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    return render(
        request.app.state.templates, request, "rewards.html", staff, status_code=code,
        rewards=await service.list_rewards(session),
        listing=await service.list_redemptions(session, status=status, page=page),
        status=status, statuses=service.STATUSES, notice=_notice(saved), error=error,
        values=values or {},
    )  # fmt: skip


@router.get("/rewards", response_class=HTMLResponse)
async def rewards_page(
    request: Request, session: DbSession, staff: Reader, status: StatusFilter = "",
    page: PageNumber = 1, saved: Code = "",
) -> Response:  # fmt: skip
    """CS-2: the rewards catalogue and every redemption, filtered by status."""
    return await _rewards_page(request, session, staff, status, page, saved=saved)


def _reward_in(fields: dict[str, str]) -> service.RewardIn:
    values = {k: fields.get(k, "") for k in ("code", "name_zh", "name_en", "points")}
    values["code"] = values["code"].strip().upper()
    return service.RewardIn.model_validate({**values, "active": _checked(fields, "active")})


async def _catalogue(request: Request, session: AsyncSession, staff: Staff,
                     reward_id: uuid.UUID | None) -> Response:  # fmt: skip
    fields = await form_data(request)
    try:
        data = _reward_in(fields)
        if reward_id is None:
            await service.add_reward(session, actor=staff, data=data)
        else:
            await service.edit_reward(session, actor=staff, reward_id=reward_id, data=data)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, code = refusal(exc)
        values = fields if reward_id is None else {}
        raise FormRejected(
            lambda s: _rewards_page(request, s, staff, "", 1, error=error, code=code, values=values)
        ) from exc
    return see_other(request, f"/rewards?saved={'added' if reward_id is None else 'edited'}")


@router.post("/rewards/catalogue")
async def add_reward_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """CS-2: a new reward in the catalogue."""
    return await _catalogue(request, session, staff, None)


@router.post("/rewards/catalogue/{reward_id}")
async def edit_reward_form(
    request: Request, session: DbSession, staff: Desk, reward_id: Uuid
) -> Response:
    """CS-2: change or deactivate a reward."""
    return await _catalogue(request, session, staff, reward_id)


# --- The redemption form ----------------------------------------------------------------------


async def _redeem_page(
    request: Request, session: AsyncSession, staff: Staff, member_id: uuid.UUID, *,
    error: str | FieldErrors = "", code: int = 200, values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    found, points = await service.member_for_form(session, member_id)
    # By post, the office sends the prize on to the member's own address unless told otherwise.
    posted_to = " ".join(part for part in (found.city, found.address, found.postcode) if part)
    values = values or {"delivery": "post", "address": posted_to}
    return render(
        request.app.state.templates, request, "rewards_redeem.html", staff, status_code=code,
        member=found, points=points, rewards=await service.list_rewards(session, active_only=True),
        deliveries=service.DELIVERIES, error=error, values=values,
    )  # fmt: skip


@router.get("/rewards/redeem", response_class=HTMLResponse)
async def redeem_page(
    request: Request, session: DbSession, staff: Desk, member_id: Uuid
) -> Response:
    """CS-2: the member's active points and the redemption form."""
    return await _redeem_page(request, session, staff, member_id)


@router.post("/rewards/redemptions")
async def redeem_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """CS-2: the desk sends the redemption form; the points are locked."""
    fields = await form_data(request)
    try:
        member_id = uuid.UUID(fields.get("member_id", "")[:36])
    except ValueError as exc:
        raise NotFound(N_("No such member.")) from exc
    values = {**fields, "confirmed": _checked(fields, "confirmed"),
              "exception_requested": _checked(fields, "exception_requested")}  # fmt: skip
    try:
        data = service.RedemptionIn.model_validate(values)
        redemption_id = await service.redeem(session, actor=staff, data=data)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, code = refusal(exc)
        raise FormRejected(
            lambda s: _redeem_page(
                request, s, staff, member_id, error=error, code=code, values=fields
            )
        ) from exc
    return see_other(request, f"/rewards/redemptions/{redemption_id}?saved=submitted")


# --- One redemption, the approvals, the batch -------------------------------------------------


@router.get("/rewards/redemptions/{redemption_id}", response_class=HTMLResponse)
async def redemption_page(
    request: Request, session: DbSession, staff: Reader, redemption_id: Uuid, saved: Code = ""
) -> Response:
    """One redemption: the form, the decision, the purchase and the delivery."""
    return render(
        request.app.state.templates, request, "rewards_redemption.html", staff,
        r=await service.get_redemption(session, redemption_id), statuses=service.STATUSES,
        deliveries=service.DELIVERIES, notice=_notice(saved),
    )  # fmt: skip


async def _approvals_page(
    request: Request, session: AsyncSession, staff: Staff, *, saved: str = "",
    error: str | FieldErrors = "", code: int = 200,
) -> Response:  # fmt: skip
    return render(
        request.app.state.templates, request, "rewards_approvals.html", staff, status_code=code,
        waiting=await service.awaiting_approval(session), deliveries=service.DELIVERIES,
        notice=_notice(saved), error=error,
    )  # fmt: skip


@router.get("/rewards/approvals", response_class=HTMLResponse)
async def approvals_page(
    request: Request, session: DbSession, staff: Manager, saved: Code = ""
) -> Response:
    """CS-2: redemptions awaiting the general manager's decision."""
    return await _approvals_page(request, session, staff, saved=saved)


Decide = Callable[[AsyncSession, Staff, uuid.UUID, dict[str, str]], Awaitable[None]]


async def _decide(request: Request, session: AsyncSession, staff: Staff,
                  redemption_id: uuid.UUID, name: str, action: Decide) -> Response:  # fmt: skip
    fields = await form_data(request)
    try:
        await action(session, staff, redemption_id, fields)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, code = refusal(exc)
        raise FormRejected(
            lambda s: _approvals_page(request, s, staff, error=error, code=code)
        ) from exc
    return see_other(request, f"/rewards/approvals?saved={name}")


@router.post("/rewards/redemptions/{redemption_id}/approve")
async def approve_form(
    request: Request, session: DbSession, staff: Manager, redemption_id: Uuid
) -> Response:
    """CS-2: approve; the locked points are spent (never the maker's own)."""

    async def act(s: AsyncSession, who: Staff, i: uuid.UUID, f: dict[str, str]) -> None:
        values = {"note": f.get("note", ""),
                  "exception_approved": _checked(f, "exception_approved")}  # fmt: skip
        data = service.DecisionIn.model_validate(values)
        await service.approve(s, actor=who, redemption_id=i, data=data)

    return await _decide(request, session, staff, redemption_id, "approved", act)


@router.post("/rewards/redemptions/{redemption_id}/reject")
async def reject_form(
    request: Request, session: DbSession, staff: Manager, redemption_id: Uuid
) -> Response:
    """CS-2: reject with a reason; the locked points go back."""

    async def act(s: AsyncSession, who: Staff, i: uuid.UUID, f: dict[str, str]) -> None:
        data = service.RejectionIn.model_validate({"reason": f.get("reason", "")})
        await service.reject(s, actor=who, redemption_id=i, data=data)

    return await _decide(request, session, staff, redemption_id, "rejected", act)


Step = Callable[..., Awaitable[None]]


async def _step(request: Request, session: AsyncSession, staff: Staff, redemption_id: uuid.UUID,
                name: str, step: Step) -> Response:  # fmt: skip
    """A button on the redemption's page; a refusal is that page's summary."""
    try:
        await step(session, actor=staff, redemption_id=redemption_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        error, code = refusal(exc)

        async def page(s: AsyncSession) -> Response:
            return render(
                request.app.state.templates, request, "rewards_redemption.html", staff,
                status_code=code, r=await service.get_redemption(s, redemption_id),
                statuses=service.STATUSES, deliveries=service.DELIVERIES, notice="", error=error,
            )  # fmt: skip

        raise FormRejected(page) from exc
    return see_other(request, f"/rewards/redemptions/{redemption_id}?saved={name}")


@router.post("/rewards/redemptions/{redemption_id}/withdraw")
async def withdraw_form(
    request: Request, session: DbSession, staff: Desk, redemption_id: Uuid
) -> Response:
    """Withdraw a redemption awaiting approval; the points go back."""
    return await _step(request, session, staff, redemption_id, "withdrawn", service.withdraw)


@router.post("/rewards/redemptions/{redemption_id}/purchase")
async def purchase_form(
    request: Request, session: DbSession, staff: Desk, redemption_id: Uuid
) -> Response:
    """The prize of an approved redemption was bought."""
    return await _step(request, session, staff, redemption_id, "purchased", service.purchase)


@router.post("/rewards/redemptions/{redemption_id}/deliver")
async def deliver_form(
    request: Request, session: DbSession, staff: Desk, redemption_id: Uuid
) -> Response:
    """The prize was posted through the local office or picked up there."""
    return await _step(request, session, staff, redemption_id, "delivered", service.deliver)


async def _batch_page(request: Request, session: AsyncSession, staff: Staff, quarter: str,
                      saved: str = "", error: str | FieldErrors = "",
                      code: int = 200) -> Response:  # fmt: skip
    return render(
        request.app.state.templates, request, "rewards_batch.html", staff, status_code=code,
        error=error,
        batch=await service.batch(session, quarter=quarter), statuses=service.STATUSES,
        deliveries=service.DELIVERIES, notice=_notice(saved),
    )  # fmt: skip


@router.get("/rewards/batch", response_class=HTMLResponse)
async def batch_page(
    request: Request, session: DbSession, staff: Reader, quarter: service.Quarter = "",
    saved: Code = "",
) -> Response:  # fmt: skip
    """CS-2: the quarter's prizes to buy and send, and the approved exceptions to send now."""
    quarter = quarter or service.quarter_of(clock.today())
    return await _batch_page(request, session, staff, quarter, saved)


@router.post("/rewards/batch/purchase")
async def purchase_batch_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """Every approved prize of the quarter's batch was bought."""
    fields = await form_data(request)
    try:
        quarter = service.BatchIn.model_validate({"quarter": fields.get("quarter", "")}).quarter
    except ValidationError as exc:
        error, code = refusal(exc)
        today = service.quarter_of(clock.today())
        raise FormRejected(
            lambda s: _batch_page(request, s, staff, today, error=error, code=code)
        ) from exc
    await service.purchase_batch(session, actor=staff, quarter=quarter)
    return see_other(request, f"/rewards/batch?quarter={quarter}&saved=purchased")


@router.get("/rewards/redemptions/{redemption_id}/letter.pdf")
async def letter_pdf(session: DbSession, staff: Reader, redemption_id: Uuid) -> Response:
    """CS-2: the written confirmation after delivery (Chinese and English)."""
    found = await service.get_redemption(session, redemption_id)
    content = await letter.letter_pdf(found)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="redemption-{found.redemption_no}.pdf"'},
    )
