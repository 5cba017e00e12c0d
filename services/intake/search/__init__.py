"""Agents' hotel search (IN-2, IN-3): offers per room type and rate plan, filters,
nearby alternatives when a hotel is full."""
