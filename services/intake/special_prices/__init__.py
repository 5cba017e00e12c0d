"""Special prices below the published sell price (IN-11) and the pricing desk's
decisions."""
