"""Night-audit input: uploads with per-hotel column mappings, the desk's typing, the JSON API."""
