"""Business rules of the noshow service."""
