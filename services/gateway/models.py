"""Staff users: the only identity store; sessions live in Redis (shared.auth)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Integer,
    MetaData,
    String,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.gateway.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


class StaffUser(Base):
    __tablename__ = "staff_user"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by every change that ends the person's sessions (shared.auth).
    sessions_epoch: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # NULL: the business's default language (shared.i18n); checked in the database too.
    locale: Mapped[str | None] = mapped_column(
        String(8), CheckConstraint("locale IN ('zh_CN', 'en')"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
