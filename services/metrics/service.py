"""Business rules of the metrics service."""
