"""Tables of the members schema (outbox, inbox and audit log come from shared)."""

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase

from services.members.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


# A member's record (CS-1) with the open-major-complaint flag agents must see (IN-8).
# Core, like intake: small rows read and written whole, nothing for the ORM to track.
member = Table(
    "member",
    Base.metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("card_no", String(40), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("phones", ARRAY(Text), nullable=False),
    Column("phone_keys", ARRAY(Text), nullable=False),  # shared.phones.phone_key of each
    Column("level", String(20), nullable=False),
    Column("complaint_open", Boolean, nullable=False),
    Column("complaint_note", Text, nullable=False),
    Column("complaint_on", Date),
    # Issue 18: contact details and the address a card is posted to (CS-1, CS-4); how and
    # when the member joined (online joiners get their card in the daily mailing, CS-4).
    Column("email", String(200), nullable=False, server_default=""),
    Column("address", Text, nullable=False, server_default=""),
    Column("postcode", String(12), nullable=False, server_default=""),
    Column("city", String(60), nullable=False, server_default=""),
    Column("joined_via", String(10), nullable=False, server_default="desk"),
    Column("joined_on", Date, nullable=False, server_default=text("CURRENT_DATE")),
    Column("version_no", Integer, nullable=False),  # optimistic lock, and the event's order
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("member_name", text("lower(name)")),  # name search ignores case
    Index("member_phone_keys", "phone_keys", postgresql_using="gin"),  # any of the phones
)
