"""Hotel photos (HR-2): uploaded images stored on disk as a normalised JPEG and a thumbnail.

Pillow decodes every upload, so a file that is not really an image is refused, and re-encoding
drops whatever else the file carried (EXIF location, scripts in polyglot files).
"""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from PIL import Image, UnidentifiedImageError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.bounds import UPLOAD_SCHEMA
from services.contracts.hotels.models import hotel_photo
from services.contracts.models import Hotel
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import InvalidInput, NotFound
from shared.i18n import _
from shared.limits import Uuid
from shared.web import see_other

THUMBNAIL = (240, 180)
LARGEST = (2400, 2400)


def _files(photo_dir: Path, photo_id: uuid.UUID) -> tuple[Path, Path]:
    return photo_dir / f"{photo_id}.jpg", photo_dir / f"{photo_id}.thumb.jpg"


def _normalise(content: bytes) -> tuple[Image.Image, Image.Image]:
    try:
        with Image.open(io.BytesIO(content)) as source:
            source.load()
            image = source.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InvalidInput(
            _("That file is not a photo we can read (JPEG, PNG or WebP)."), field="photo"
        ) from exc
    image.thumbnail(LARGEST)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL)
    return image, thumb


def _store(content: bytes, photo_dir: Path, photo_id: uuid.UUID) -> tuple[int, int]:
    image, thumb = _normalise(content)
    photo_dir.mkdir(parents=True, exist_ok=True)
    full_path, thumb_path = _files(photo_dir, photo_id)
    image.save(full_path, "JPEG", quality=88)
    thumb.save(thumb_path, "JPEG", quality=80)
    return image.width, image.height


async def add_photo(
    session: AsyncSession,
    *,
    actor: Staff,
    hotel_id: uuid.UUID,
    content: bytes,
    caption: str,
    photo_dir: Path,
) -> uuid.UUID:
    if await session.get(Hotel, hotel_id) is None:
        raise NotFound(_("No such hotel."), field="hotel_id")
    photo_id = uuid.uuid4()
    # Decoding and writing images is CPU and disk work: off the event loop.
    width, height = await asyncio.to_thread(_store, content, photo_dir, photo_id)
    await session.execute(
        insert(hotel_photo).values(
            photo_id=photo_id,
            hotel_id=hotel_id,
            caption=caption.strip()[:200],
            width=width,
            height=height,
            uploaded_by=actor.username,
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="add_photo",
        entity="hotel",
        entity_id=hotel_id,
        after={"photo_id": str(photo_id), "caption": caption},
    )
    return photo_id


async def photos_of(session: AsyncSession, hotel_id: uuid.UUID) -> list[object]:
    rows = await session.execute(
        select(hotel_photo)
        .where(hotel_photo.c.hotel_id == hotel_id)
        .order_by(hotel_photo.c.uploaded_at)
    )
    return list(rows.all())


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.post("/hotels/{hotel_id}/photos")
async def photo_upload(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    hotel_id: Uuid,
    photo: Annotated[UploadFile, File(json_schema_extra=UPLOAD_SCHEMA)],
    caption: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Upload a photo of the hotel (HR-2)."""
    settings = request.app.state.settings
    content = await photo.read(settings.photo_max_bytes + 1)
    if len(content) > settings.photo_max_bytes:
        raise InvalidInput(
            _("Photos may be at most %(mb)s MB.") % {"mb": settings.photo_max_bytes // 2**20},
            field="photo",
        )
    await add_photo(
        session,
        actor=staff,
        hotel_id=hotel_id,
        content=content,
        caption=caption,
        photo_dir=Path(settings.photo_dir),
    )
    return see_other(request, f"/hotels/{hotel_id}?notice=photo")


@router.get("/photos/{photo_id}.jpg")
async def photo_file(
    request: Request, session: DbSession, staff: DeskStaff, photo_id: Uuid, thumb: bool = False
) -> Response:
    """A hotel photo, or its thumbnail."""
    if (
        await session.scalar(
            select(hotel_photo.c.photo_id).where(hotel_photo.c.photo_id == photo_id)
        )
        is None
    ):
        raise NotFound(_("No such photo."))
    full_path, thumb_path = _files(Path(request.app.state.settings.photo_dir), photo_id)
    path = thumb_path if thumb else full_path
    if not await asyncio.to_thread(path.exists):
        raise NotFound(_("The photo's file is missing from the photo folder."))
    return FileResponse(path, media_type="image/jpeg")
