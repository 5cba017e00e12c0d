"""SQL of the contracts schema."""
