"""Business rules of the payments service."""
