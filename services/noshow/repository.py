"""SQL of the noshow schema."""
