"""Group bookings of corporate accounts (IN-9): accounts, drafts with rooming lists,
all rooms booked or none, the worklist of unfinished groups."""
