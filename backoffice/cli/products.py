"""`backoffice product add|list|import`: the product catalogue and its opening stock."""

from __future__ import annotations

from typing import Any

import click

from backoffice import shapes
from backoffice.cli import common
from backoffice.core.errors import ValidationError

product = common.Group("product")


@product.command("add", help="add a product (price net of VAT unless --tax-inclusive)")
@common.options()
@click.option("--sku", required=True)
@click.option("--name", required=True)
@click.option("--name-ar")
@click.option("--unit")
@click.option("--category")
@click.option("--price", required=True)
@click.option("--cost")
@click.option("--vat", metavar="PERCENT|exempt", help="default: the organization's standard rate")
@click.option("--tax-inclusive", is_flag=True, help="the price includes VAT")
@click.option("--stock", type=int, help="opening stock, at --cost")
def add(
    sku: str,
    name: str,
    name_ar: str | None,
    unit: str | None,
    category: str | None,
    price: str,
    cost: str | None,
    vat: str | None,
    tax_inclusive: bool,
    stock: int | None,
) -> None:
    from backoffice.catalog import products

    ctx = common.context()
    values: dict[str, Any] = {
        "sku": sku,
        "name": name,
        "name_ar": name_ar,
        "unit": unit,
        "category": category,
        "price": price,
        "cost": cost,
        "price_includes_vat": tax_inclusive,
    }
    if vat is not None:
        values["vat"] = vat
    if stock is not None and stock < 0:
        raise ValidationError("stock cannot be negative", "stock")
    with ctx.write():  # the product and its opening stock together, or neither
        product_id = products.save_product(ctx, {k: v for k, v in values.items() if v is not None})
        if stock:
            products.receive_stock(ctx, product_id, stock, reason="opening")
    row = products.get_product(ctx, product_id)
    common.emit(shapes.product_json(row, common.money(ctx)), f"Saved {row['sku']} (id {product_id}).")


@product.command("list")
@common.options()
@click.option("--search")
@click.option("--page", type=int, default=1)
@click.option("--page-size", type=int, default=100)
def list_products(search: str | None, page: int, page_size: int) -> None:
    from backoffice.catalog import products

    ctx = common.context()
    found, total = products.list_products(ctx, search, page, page_size)
    cur = common.money(ctx)
    data = [shapes.product_json(r, cur) for r in found]
    common.emit(
        data,
        "\n".join(f"{d['sku']:<16} {d['name']:<32} {d['price']:>12} stock {d['stock']}" for d in data)
        + f"\n({total} products)",
    )


@product.command("import", help="products from CSV/XLSX")
@common.options()
@click.argument("file")
@click.option("--dry-run", is_flag=True)
def import_products(file: str, dry_run: bool) -> int:
    from backoffice.catalog import products

    result = products.import_products(common.context(), file, common.path(file).read_bytes(), dry_run=dry_run)
    problems = result.problems or []
    data = {
        "created": result.created,
        "written": result.written,
        "problems": [{"row": r, "column": c, "reason": m} for r, c, m in problems],
    }
    common.emit(
        data,
        "\n".join([f"row {r}, {c}: {m}" for r, c, m in problems] + [f"{result.created} products."]),
    )
    return 2 if problems else 0
