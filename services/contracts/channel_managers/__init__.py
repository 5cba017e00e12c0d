"""Channel managers' logins (Basic auth) for the OTA endpoints."""
