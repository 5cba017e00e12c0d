"""Input and output shapes of the intake API."""
