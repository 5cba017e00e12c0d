"""Events the members service subscribes to."""

from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {}
