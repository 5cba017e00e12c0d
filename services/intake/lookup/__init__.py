"""Finding a booking (issue 15): one search box on every intake page, the agent's own lists."""
