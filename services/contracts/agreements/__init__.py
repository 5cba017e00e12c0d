"""Contracts with hotels (HR-1, HR-3, HR-4): drafts, director approval, versions
and their differences."""
