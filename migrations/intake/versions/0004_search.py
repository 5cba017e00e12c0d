"""Search by hotel name in pinyin, and nearby alternatives (IN-2, IN-3).

``name_pinyin`` and ``name_initials`` are computed from ``name_zh`` when a hotel snapshot is
projected (``services/intake/inventory/hotel_names.py``); rows already projected are filled
here with the same rule, written out again so this migration keeps working whatever that
module becomes.
``latitude``/``longitude`` come with the next ``contracts.hotel_published`` of each hotel.

Revision ID: intake_0004_search
Revises: intake_0002
"""

import re

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

revision = "intake_0004_search"
down_revision = "intake_0002"
branch_labels = None
depends_on = None

_NOT_LATIN = re.compile(r"[^a-z0-9]+")


def _plain(parts: list[str]) -> str:
    return "".join(_NOT_LATIN.sub("", part.lower()) for part in parts)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE intake.hotel "
        "ADD COLUMN name_pinyin text NOT NULL DEFAULT '', "
        "ADD COLUMN name_initials text NOT NULL DEFAULT '', "
        "ADD COLUMN latitude double precision, "
        "ADD COLUMN longitude double precision"
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT hotel_id, name_zh FROM intake.hotel")).all()
    for hotel_id, name_zh in rows:
        bind.execute(
            sa.text(
                "UPDATE intake.hotel SET name_pinyin = :pinyin, name_initials = :initials "
                "WHERE hotel_id = :hotel_id"
            ),
            {
                "hotel_id": hotel_id,
                "pinyin": _plain(lazy_pinyin(name_zh)),
                "initials": _plain(lazy_pinyin(name_zh, style=Style.FIRST_LETTER)),
            },
        )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE intake.hotel DROP COLUMN longitude, DROP COLUMN latitude, "
        "DROP COLUMN name_initials, DROP COLUMN name_pinyin"
    )
