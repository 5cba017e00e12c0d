"""Input and output shapes of the payments API."""
