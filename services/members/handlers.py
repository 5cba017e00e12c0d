"""Events the members service subscribes to: each feature package keeps its own handlers;
this merges them (a name twice would be a mistake, so it fails at import)."""

from services.members.cards.handlers import HANDLERS as CARDS
from services.members.complaints.handlers import HANDLERS as COMPLAINTS
from services.members.points.handlers import HANDLERS as POINTS
from services.members.profile.handlers import HANDLERS as PROFILE
from services.members.rewards.handlers import HANDLERS as REWARDS
from shared.events.consumer import Handler


def _merge(*tables: dict[str, Handler]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        twice = merged.keys() & table.keys()
        assert not twice, f"two members handlers for {sorted(twice)}"
        merged.update(table)
    return merged


HANDLERS: dict[str, Handler] = _merge(PROFILE, POINTS, REWARDS, COMPLAINTS, CARDS)
