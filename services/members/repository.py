"""SQL of the members schema."""
