"""Tables of the noshow schema (outbox, inbox and audit log come from shared)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from services.noshow.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata
