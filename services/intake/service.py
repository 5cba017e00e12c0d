"""Business rules of the intake service."""
