"""Shift handover between agents (IN-6): notes, acknowledgements and the banner."""
