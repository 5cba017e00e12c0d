"""The ledger's JSON API: post a transaction (finance's manual journal; also what the bench
drives), read balances and the ledger's check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.payments.ledger import balances as ledger_balances
from services.payments.ledger.postings import Posting, post
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import Conflict
from shared.limits import Text

router = APIRouter(prefix="/api/ledger")
Finance = Annotated[Staff, require(Role.FINANCE)]
Reader = Annotated[Staff, require(Role.FINANCE, Role.COLLECT_DESK, Role.TEAM_LEAD)]


class PostedView(BaseModel):
    transaction_id: str
    created: bool


class PostingBatch(BaseModel):
    """Up to 100 postings written in one database transaction, as TigerBeetle takes transfers:
    one request and one commit for the lot, each posting still once per its own key."""

    postings: list[Posting] = Field(min_length=1, max_length=100)


class BalanceView(BaseModel):
    account: str
    currency: str
    balance_minor: int


class CheckView(BaseModel):
    healthy: bool
    unbalanced_transactions: int
    trial_balance_off: dict[str, int]


@router.post("/transactions", status_code=201)
async def post_transaction(body: Posting, session: DbSession, staff: Finance) -> PostedView:
    """A balanced transaction, once per ``idempotency_key`` (a repeat answers the first)."""
    posted = await post(session, body, actor=staff.username)
    return PostedView(transaction_id=str(posted.transaction_id), created=posted.created)


@router.post("/transactions/batch", status_code=201)
async def post_batch(body: PostingBatch, session: DbSession, staff: Finance) -> list[PostedView]:
    """All or nothing: a refused posting (a key reused for another posting) refuses the batch,
    naming its position; the answers are in the order of the postings."""
    answers: list[PostedView] = []
    for position, posting in enumerate(body.postings):
        try:
            posted = await post(session, posting, actor=staff.username)
        except Conflict as exc:
            raise Conflict(exc.detail, field=f"postings.{position}.idempotency_key") from exc
        answers.append(
            PostedView(transaction_id=str(posted.transaction_id), created=posted.created)
        )
    return answers


@router.get("/balances")
async def list_balances(
    session: DbSession,
    staff: Reader,
    prefix: Annotated[Text(120) | None, Query()] = None,  # type: ignore[valid-type]
) -> list[BalanceView]:
    found = await ledger_balances.balances(session, prefix=prefix)
    return [BalanceView(**vars(balance)) for balance in found]


@router.get("/check")
async def check_ledger(session: DbSession, staff: Reader) -> CheckView:
    result = await ledger_balances.check(session)
    return CheckView(
        healthy=result.healthy,
        unbalanced_transactions=result.unbalanced_transactions,
        trial_balance_off=result.trial_balance_off,
    )
