"""SQL of the payments schema."""
