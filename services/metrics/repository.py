"""SQL of the metrics schema."""
