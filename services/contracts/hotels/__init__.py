"""The hotel file (HR-2): hotels, room types, rate plans, allotments and prices,
photos, conditions (HR-8), complaints (HR-12) and monthly recommendations (HR-6)."""
