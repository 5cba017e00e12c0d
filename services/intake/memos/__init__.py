"""Internal communication forms (IN-7): raised on a booking, routed to a department."""
