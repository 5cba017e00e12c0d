"""Business rules of the contracts service."""
