"""Changing and cancelling a booking (IN-5): the rules, the rooms moved, the history
and the ``intake.booking_modified`` / ``booking_cancelled`` events."""
