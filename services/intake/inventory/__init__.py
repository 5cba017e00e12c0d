"""The sellable inventory intake books against: contracts' hotels, allotments,
prices, restrictions, conditions and contracts as a projection, and moving rooms on it."""
