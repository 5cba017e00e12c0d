"""Channel managers' logins.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    DateTime,
    Index,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.models import CHANNEL_ACTOR_PREFIX, Base


class ChannelManager(Base):
    """A channel manager's credential (channel_managers.py); the secret only as a hash."""

    __tablename__ = "channel_manager"
    __table_args__ = (
        # The name is the HTTP Basic user name: unique among live credentials; a revoked one
        # keeps its row (the audit trail names it) and frees the name.
        Index(
            "channel_manager_live_name",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    channel_manager_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(40))
    secret_hash: Mapped[str] = mapped_column(Text)
    all_hotels: Mapped[bool]
    hotel_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(80), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def actor(self) -> str:
        """How the audit trail names what this credential changed."""
        return f"{CHANNEL_ACTOR_PREFIX}{self.name}"
