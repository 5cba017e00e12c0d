"""Business rules of the members service."""
