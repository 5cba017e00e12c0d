"""Input and output shapes of the metrics API."""
