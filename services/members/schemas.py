"""Input and output shapes of the members API."""
