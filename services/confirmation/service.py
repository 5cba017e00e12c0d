"""Business rules of the confirmation service."""
