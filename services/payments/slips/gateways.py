"""The outside world a slip talks to: a card payment gateway and an invoicing (发票) gateway.

Both are Protocols so production adapters (a bank's card acquirer, the tax bureau's invoicing
service) plug in without touching the slips. For development: ``FakeCardGateway`` approves
every card except one whose number ends 0000, and ``FolderInvoicingGateway`` writes each
invoice as a JSON file under ``PaymentsSettings.invoice_dir`` (like confirmation's folder
transport: written whole, then renamed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from services.payments.settings import PaymentsSettings
from shared.i18n import N_


class GatewayRefused(Exception):
    """The gateway said no; ``message`` is a catalog text (``N_``) for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CardCharge:
    amount_minor: int
    currency: str
    card_number: str
    reference: str  # ours: the slip and the form token, so a retried charge is the same one


class PaymentGateway(Protocol):
    async def charge(self, charge: CardCharge) -> str:
        """Take the money; the gateway's reference, or ``GatewayRefused``."""
        ...


class FakeCardGateway:
    """Development card gateway: approves, except a card number ending 0000 (declined)."""

    name = "fake"

    async def charge(self, charge: CardCharge) -> str:
        if charge.card_number.endswith("0000"):
            raise GatewayRefused(N_("The card was declined; ask for another card."))
        digest = hashlib.sha256(charge.reference.encode()).hexdigest()[:12].upper()
        return f"FAKE-{digest}"


@dataclass(frozen=True)
class InvoiceRequest:
    number: str
    booking_ref: str
    title: str
    tax_number: str
    currency: str
    amount_minor: int
    issued_by: str


class InvoicingGateway(Protocol):
    async def issue(self, invoice: InvoiceRequest) -> str:
        """Issue the invoice; its number as issued, or ``GatewayRefused``."""
        ...


class FolderInvoicingGateway:
    """Development invoicing: ``<invoice_dir>/<number>.json``, one file per invoice."""

    name = "folder"

    def __init__(self, settings: PaymentsSettings) -> None:
        self.folder = Path(settings.invoice_dir)

    async def issue(self, invoice: InvoiceRequest) -> str:
        path = self.folder / f"{invoice.number}.json"
        body = json.dumps(asdict(invoice), ensure_ascii=False, indent=2).encode()
        try:
            await asyncio.to_thread(_write_whole, path, body)
        except OSError as exc:
            raise GatewayRefused(N_("The invoice could not be written; try again.")) from exc
        return invoice.number


def _write_whole(path: Path, content: bytes) -> None:
    """Write then rename, so whoever watches the folder never picks up half an invoice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


def payment_gateway(settings: PaymentsSettings) -> PaymentGateway:
    return FakeCardGateway()


def invoicing_gateway(settings: PaymentsSettings) -> InvoicingGateway:
    return FolderInvoicingGateway(settings)
