"""How a projection decides that an event is newer than the row it holds (issue 12).

A projection row keeps ``source_version``: the aggregate version (``Envelope.aggregate_version``,
numbered by the publisher in the transaction of the change, see ``shared.events.outbox``) of
the event that last wrote it. An update applies only when its version is strictly higher; an
equal version is the same state again (the inbox already drops a redelivered event id).
Never by ``occurred_at``: two hosts' clocks disagree, and a clock set back would let an older
state win.

Unnumbered events: events committed before publishers numbered their aggregates (still in an
outbox or a queue when this shipped) carry no version. They count as 0, the version every row
migrated from before holds. Such an event applies over a row that is unnumbered too (arrival
order, as before) and never over a numbered row; that is right because every numbered event
was committed after every unnumbered one. Rows written by numbered events are never 0 (the
counters start at 1).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_

from shared.events import Envelope

UNNUMBERED = 0


def source_version(envelope: Envelope) -> int:
    """The version a projection stores and compares; 0 only for an unnumbered old event."""
    version = envelope.aggregate_version
    return UNNUMBERED if version is None else version


def is_newer(
    incoming: SQLColumnExpression[int], held: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """The ON CONFLICT guard: ``incoming`` (``EXCLUDED.source_version``) beats ``held``."""
    both_unnumbered = and_(incoming == UNNUMBERED, held == UNNUMBERED)
    return or_(incoming > held, both_unnumbered)


def is_newer_sql(incoming: str, held: str) -> str:
    """:func:`is_newer` for a textual statement; the arguments are column names, never input."""
    return f"({incoming} > {held} OR ({incoming} = {UNNUMBERED} AND {held} = {UNNUMBERED}))"
