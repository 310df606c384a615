"""ZATCA phase-1 QR code of Saudi simplified tax invoices: the TLV payload, base64, and its image.

TLV = tag byte, length byte (UTF-8 bytes, not characters), UTF-8 value; tags 1 seller name, 2 VAT
number, 3 ISO 8601 timestamp, 4 total with VAT, 5 VAT total. Amounts are decimal strings from integer
minor units ("100.00"), never floats. Does not own when a document needs one (backoffice.documents).
"""

from __future__ import annotations

import base64
from datetime import datetime

from backoffice.core.money import currency, to_json

TAGS = ("seller", "vat_number", "timestamp", "total", "vat")


def tlv(seller: str, vat_number: str, timestamp: str, total: str, vat: str) -> bytes:
    """The five fields as tag-length-value bytes; a value over 255 UTF-8 bytes cannot be encoded."""
    out = bytearray()
    for tag, value in enumerate((seller, vat_number, timestamp, total, vat), 1):
        data = value.encode("utf-8")
        if len(data) > 255:
            raise ValueError(f"ZATCA QR field {TAGS[tag - 1]} is longer than 255 bytes")
        out += bytes((tag, len(data))) + data
    return bytes(out)


def qr_payload(seller: str, vat_number: str, timestamp: str, total: str, vat: str) -> str:
    """The base64 text a ZATCA QR code carries."""
    return base64.b64encode(tlv(seller, vat_number, timestamp, total, vat)).decode("ascii")


def decode(payload: str) -> dict[str, str]:
    """The fields back from a base64 payload (tests, and a scanned code)."""
    data = base64.b64decode(payload)
    fields, at = {}, 0
    while at < len(data):
        tag, length = data[at], data[at + 1]
        fields[TAGS[tag - 1]] = data[at + 2 : at + 2 + length].decode("utf-8")
        at += 2 + length
    return fields


def invoice_payload(
    seller: str, vat_number: str, issued_at: datetime, total_minor: int, vat_minor: int, currency_code: str
) -> str:
    """The payload of one document: timestamp in UTC (2021-07-12T14:25:09Z), amounts from minor units."""
    cur = currency(currency_code)
    return qr_payload(
        seller,
        vat_number,
        issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        to_json(total_minor, cur),
        to_json(vat_minor, cur),
    )


def qr_png(payload: str) -> bytes:
    """The QR code as a PNG (error correction M, 4-module quiet zone), for the PDF."""
    import io

    import segno

    out = io.BytesIO()
    segno.make_qr(payload, error="m", boost_error=False).save(out, kind="png", scale=4, border=4)
    return out.getvalue()
