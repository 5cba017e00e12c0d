"""The no-show desk's reports: the day's and month's no-show rate by hotel, agent and client,
the reasons by category, a chart and an Excel export (issue 16, NS-7)."""
