"""The hotel's answers through the confirmation desk: confirmations (CF-4) and
full houses (CF-3) applied to bookings, and the agent's notices."""
