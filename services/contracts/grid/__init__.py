"""The nightly grid around the hotel file: its edit version, the restrictions calendar
and the Excel export."""
