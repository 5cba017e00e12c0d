"""Channel managers' logins.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Mapped, mapped_column

from services.contracts.models import CHANNEL_ACTOR_PREFIX, Base
from shared.machine_credentials import CredentialColumns, live_name_index


class ChannelManager(CredentialColumns, Base):
    """A channel manager's credential (shared.machine_credentials); the secret only as a hash."""

    __tablename__ = "channel_manager"
    # A revoked credential keeps its row (the audit trail names it) and frees the name.
    __table_args__ = (live_name_index("channel_manager"),)

    channel_manager_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)

    @property
    def actor(self) -> str:
        """How the audit trail names what this credential changed."""
        return f"{CHANNEL_ACTOR_PREFIX}{self.name}"
