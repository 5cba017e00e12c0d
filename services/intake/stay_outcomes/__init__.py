"""The stay's outcome on the booking (issue 16): what the no-show desk established."""
