"""OpenTravel (OTA) XML: hotels' availability and rate notifications in, answers out."""
