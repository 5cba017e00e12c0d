"""The written confirmation each member gets after delivery (CS-2): a one-page PDF letter in
Chinese and English side by side (``both()``, whoever's screen printed it), rendered by the
kit's document workers like payments' settlement statements (``shared.documents``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment

from services.members.rewards.service import DELIVERIES, RedemptionView
from shared import documents as kit
from shared.clock import clock
from shared.errors import Conflict
from shared.i18n import N_

TEMPLATES = Path(__file__).parent / "templates"
CENTRE_ZH, CENTRE_EN = "roomline 客服中心", "Customer-service centre"


@lru_cache
def environment() -> Environment:
    return kit.document_environment(TEMPLATES, service="members")


def letter_html(found: RedemptionView) -> str:
    assert found.delivered_at is not None
    return (
        environment()
        .get_template("rewards_letter_pdf.html")
        .render(
            r=found,
            delivery=DELIVERIES[found.delivery],
            delivered_on=clock.local(found.delivered_at).date().isoformat(),
            printed_on=clock.today().isoformat(),
            centre_zh=CENTRE_ZH,
            centre_en=CENTRE_EN,
        )
    )


async def letter_pdf(found: RedemptionView) -> bytes:
    """The letter; only once the prize was delivered (409 before)."""
    if found.status != "delivered" or found.delivered_at is None:
        raise Conflict(N_("The confirmation letter is printed after the prize is delivered."))
    name = f"redemption-{found.redemption_no}.pdf"
    return await kit.render_pdf(letter_html(found), base_url=str(TEMPLATES), name=name)
