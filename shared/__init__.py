"""The kit every roomline service uses; nothing domain-specific lives here."""
