"""SQL of the confirmation schema."""
