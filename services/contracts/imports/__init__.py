"""Rate and allotment sheets (CSV/Excel) imported all or nothing as background jobs."""
