"""Settings of the contracts service (shared ones plus its own)."""

from pathlib import Path

from shared.config import Settings

SCHEMA = "contracts"


class ContractsSettings(Settings):
    # Hotel photos (HR-2) are files on disk under this folder; the database keeps their names.
    photo_dir: Path = Path(".local/photos")
    photo_max_bytes: int = 8 * 1024 * 1024
