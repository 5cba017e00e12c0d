"""Taking a booking on the phone (IN-1, IN-4, IN-11): the form and API, the rules
of a stay, frozen prices, the guarded sale and the ``intake.booking_placed`` event."""
