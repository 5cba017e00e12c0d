"""CS-3, HR-12, IN-8, SL-5: complaints recorded, routed to the department as an internal form,
answered on the clock, summarised by category."""
