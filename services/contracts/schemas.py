"""Input and output shapes of the contracts API."""
