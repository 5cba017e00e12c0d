"""Input and output shapes of the confirmation API."""
