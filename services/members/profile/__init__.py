"""CS-1: a member's profile, contact details and address, card number with its change history,
levels, and the inquiry screen (balance, points history, bookings from intake's events)."""
