"""The gateway subscribes to no events."""

from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {}
