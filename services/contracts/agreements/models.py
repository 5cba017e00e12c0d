"""Tables and request/response shapes of hotel contracts and supplementary agreements (HR-1, HR-3).

A contract belongs to one hotel; its terms live only in versions. Version 1 is the contract,
later ones are supplementary agreements carrying the full amended terms. The effective version
is the latest approved one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.bounds import CommissionPercent, Revision
from services.contracts.models import Base, Hotel
from shared.events.noshow import NoShowFee
from shared.i18n import N_
from shared.limits import MONEY_HARD_MAX_MINOR, BusinessDate

PaymentArrangement = Literal["net_prepaid", "pay_at_hotel_commission"]
# English, marked for the catalog; the pages translate them where shown (issue 15).
PAYMENT_LABELS = {
    "net_prepaid": N_("Net price, prepaid (collect-on-behalf)"),
    "pay_at_hotel_commission": N_("Guest pays at hotel, hotel pays commission"),
}
TERM_LABELS = {
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "payment_arrangement": N_("Payment arrangement"),
    "commission_percent": N_("Commission %"),
    "monthly_settlement": N_("Monthly settlement"),
    "deposit_held_minor": N_("Deposit held"),
    "cancellation_terms": N_("Cancellation terms"),
    "guarantee_terms": N_("Guarantee terms"),
    "guaranteed": N_("Guaranteed bookings"),
    "no_show_fee": N_("No-show fee"),
    "no_show_fee_percent": N_("No-show fee %"),
}
# NS-7: what a final no-show costs the guest under the contract (issue 16).
NO_SHOW_FEE_LABELS = {
    "none": N_("No fee"),
    "first_night": N_("The first night's price"),
    "whole_stay": N_("Whole stay"),
    "percent": N_("A percentage of the stay"),
}


class Contract(Base):
    __tablename__ = "contract"
    __table_args__ = (Index("contract_hotel", "hotel_id"),)

    contract_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hotel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Hotel.hotel_id))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ContractVersion(Base):
    __tablename__ = "contract_version"
    __table_args__ = (
        UniqueConstraint("contract_id", "version_no"),
        # HR-3: at most one version of a contract is being drafted or waits for approval.
        Index(
            "contract_version_one_open",
            "contract_id",
            unique=True,
            postgresql_where=text("state IN ('drafted', 'submitted')"),
        ),
        Index(
            "contract_version_submitted",
            "submitted_at",
            postgresql_where=text("state = 'submitted'"),
        ),
    )

    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Contract.contract_id))
    version_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    terms: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(String(10), default="drafted")
    drafted_by: Mapped[str] = mapped_column(String(80))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_by: Mapped[str | None] = mapped_column(String(80), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    submitted_margin: Mapped[Decimal | None] = mapped_column(Numeric(7, 4), default=None)
    low_margin_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(80), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    # Bumped by each edit of a drafted version's terms; a stale edit is refused (HR-3).
    revision: Mapped[int] = mapped_column(Integer, default=1)


class Terms(BaseModel):
    """The terms of a contract or of a supplementary agreement (the full amended set), as
    stored in a version: read back without the date window (a contract signed years ago keeps
    its dates); ``TermsIn`` is what a person may type."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    valid_from: date
    valid_to: date
    payment_arrangement: PaymentArrangement
    # Above 0, at most 50 %, two decimals (bounds.CommissionPercent).
    commission_percent: CommissionPercent | None = Field(None, validate_default=True)
    monthly_settlement: bool = False
    deposit_held_minor: int = Field(0, ge=0, le=MONEY_HARD_MAX_MINOR)
    cancellation_terms: str = Field("", max_length=4000)
    guarantee_terms: str = Field("", max_length=4000)
    # Issue 16 (NS-7, PAY-4): read back as these defaults from versions stored before.
    guaranteed: bool = False
    no_show_fee: NoShowFee = "none"
    no_show_fee_percent: int | None = Field(None, ge=1, le=100, validate_default=True)

    @field_validator("valid_to")
    @classmethod
    def ends_after_start(cls, valid_to: date, info: ValidationInfo) -> date:
        valid_from = info.data.get("valid_from")
        if valid_from is not None and valid_to < valid_from:
            raise ValueError(N_("must not be before valid from"))
        return valid_to

    @field_validator("commission_percent")
    @classmethod
    def commission_goes_with_pay_at_hotel(
        cls, percent: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        arrangement = info.data.get("payment_arrangement")
        if arrangement == "pay_at_hotel_commission" and percent is None:
            raise ValueError(N_("needed when the guest pays at the hotel"))
        if arrangement == "net_prepaid" and percent is not None:
            raise ValueError(N_("only for pay-at-hotel with commission"))
        return percent

    @field_validator("no_show_fee_percent")
    @classmethod
    def percent_goes_with_percent_fee(cls, percent: int | None, info: ValidationInfo) -> int | None:
        fee = info.data.get("no_show_fee")
        if fee == "percent" and percent is None:
            raise ValueError(N_("needed when the no-show fee is a percentage"))
        if fee != "percent" and percent is not None:
            raise ValueError(N_("only for a no-show fee that is a percentage"))
        return percent


def with_defaults(terms: dict[str, Any]) -> dict[str, Any]:
    """Stored terms with the fields added since they were stored (issue 16) at their defaults,
    so an old version compares and reads as what it meant: no guarantee, no fee."""
    added = {
        name: field.default for name, field in Terms.model_fields.items() if not field.is_required()
    }
    return {**added, **terms}


class TermsIn(Terms):
    """Terms as drafted (API and forms): the validity lies inside the business's date window
    (``shared.limits.BusinessDate``, issue 14), so year 1 or 9999-12-31 is a 422 naming the
    field, never an overflow in a margin or an event."""

    valid_from: BusinessDate
    valid_to: BusinessDate


class SubmitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    low_margin_reason: str = Field("", max_length=2000)
    revision: Revision | None = None  # the draft's revision the submitter read


class EditIn(BaseModel):
    """New terms for a drafted version, and the revision its editor started from."""

    model_config = ConfigDict(extra="forbid")

    terms: TermsIn
    revision: Revision


class WithdrawIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field("", max_length=2000)


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version_id: uuid.UUID
    contract_id: uuid.UUID
    version_no: int
    kind: str
    terms: dict[str, Any]
    state: str
    drafted_by: str
    drafted_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    submitted_margin: Decimal | None
    low_margin_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    revision: int


class DiffRowOut(BaseModel):
    field: str
    label: str
    before: Any
    after: Any
    changed: bool


class VersionDetailOut(BaseModel):
    version: VersionOut
    effective: bool
    compared_with: VersionOut | None
    diff: list[DiffRowOut]


class ContractOut(BaseModel):
    contract_id: uuid.UUID
    hotel_id: uuid.UUID
    effective_version_id: uuid.UUID | None
    margin: Decimal | None
    versions: list[VersionOut]


class HotelContractsOut(BaseModel):
    hotel_id: uuid.UUID
    hotel_margin: Decimal | None
    contracts: list[ContractOut]


class ApprovalOut(BaseModel):
    version: VersionOut
    hotel_id: uuid.UUID
    hotel_name: str
    low_margin: bool
