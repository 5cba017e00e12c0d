"""Input and output shapes of the noshow API."""
