"""`backoffice org set|show`: the organization's settings, the same as the Settings page."""

from __future__ import annotations

from typing import Any

import click

from backoffice.admin.orgs import CALENDARS, ROUNDING_RULES
from backoffice.books.ledger import BUSINESS_TYPES
from backoffice.cli import common
from backoffice.core.i18n import DOCUMENT_LANGUAGES

org = common.Group("org")


def _public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in settings.items() if k not in ("logo", "tax_rates")}
    shown["has_logo"] = settings.get("logo") is not None
    shown["tax_rates"] = [
        {"code": r["code"], "percent": str(r["rate_bp"] / 100), "valid_from": r["valid_from"]}
        for r in settings["tax_rates"]
    ]
    shown["id"] = shown.pop("org_id")
    return shown


@org.command("set", help="change settings (the same as the Settings page)")
@common.options()
@click.option("--tax-number")
@click.option("--address")
@click.option("--city")
@click.option("--country")
@click.option("--brand-color")
@click.option("--footer")
@click.option("--currency")
@click.option("--name")
@click.option("--vat-from")
@click.option("--language", type=common.choice(DOCUMENT_LANGUAGES))
@click.option("--calendar", type=common.choice(CALENDARS))
@click.option("--business-type", type=common.choice(BUSINESS_TYPES))
@click.option(
    "--rounding",
    type=common.choice(ROUNDING_RULES),
    help="VAT rounded per line, or once per rate group (EN 16931 BR-CO-17; the default in Saudi Arabia); "
    "issued documents keep theirs",
)
@click.option(
    "--vat", metavar="PERCENT", help="a new standard VAT rate, in force from --vat-from (default today)"
)
@click.option("--logo", metavar="FILE", help="PNG or JPEG")
@click.option("--deposit-percent", metavar="PERCENT", help="default deposit on an order")
@click.option("--cancellation-fee-percent", metavar="PERCENT", help="kept from a cancelled order's deposit")
@common.flag("allow-negative-stock", None)
@common.flag("shipping-taxable", None)
def set_settings(
    tax_number: str | None,
    address: str | None,
    city: str | None,
    country: str | None,
    brand_color: str | None,
    footer: str | None,
    currency: str | None,
    name: str | None,
    vat_from: str | None,
    language: str | None,
    calendar: str | None,
    business_type: str | None,
    rounding: str | None,
    vat: str | None,
    logo: str | None,
    deposit_percent: str | None,
    cancellation_fee_percent: str | None,
    allow_negative_stock: bool | None,
    shipping_taxable: bool | None,
) -> None:
    from backoffice.admin import orgs

    ctx = common.context()
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "tax_number": tax_number,
            "address": address,
            "city": city,
            "country": country,
            "language": language,
            "brand_color": brand_color,
            "invoice_footer": footer,
            "currency": currency,
            "calendar": calendar,
            "business_type": business_type,
            "rounding_rule": rounding,
            "name": name,
            "deposit_percent_bp": deposit_percent,
            "cancellation_fee_bp": cancellation_fee_percent,
            "allow_negative_stock": allow_negative_stock,
            "shipping_taxable": shipping_taxable,
        }.items()
        if v is not None
    }
    if logo:
        changes["logo"] = common.path(logo).read_bytes()
    settings = orgs.update_settings(ctx, **changes)
    if vat is not None:
        from datetime import date

        orgs.set_tax_rate(ctx, "standard", vat, date.fromisoformat(vat_from) if vat_from else date.today())
        settings = orgs.get_settings(ctx)
    common.emit(_public_settings(settings), f"Saved settings of '{settings['name']}'.")


@org.command("show")
@common.options()
def show() -> None:
    from backoffice.admin import orgs

    common.emit(_public_settings(orgs.get_settings(common.context())))
