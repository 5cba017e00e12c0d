"""The desk's reports: competitors' prices, seasons, free rooms for staff stays
(HR-9) and the monthly ranking of hotels by sales (HR-11)."""
