"""SQL of the intake schema."""
