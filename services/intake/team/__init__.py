"""Team leads' view of their agents' work today."""
