"""Every page hands user and file text to Streamlit's Markdown escaped (issue 14, finding 5).

Each page runs under AppTest over a database whose user-typed texts are Markdown images; every element that
Streamlit renders as Markdown (text, captions, headings, alerts, metric labels and values, widget labels, radio
options, tab and expander labels, help) must carry no image or link syntax. Selectbox and multiselect options and
tables are not Markdown and show the raw text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from backoffice import imports as order_import
from backoffice.admin import auth, orgs
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.db import Database
from backoffice.sales import invoices, orders
from backoffice.web.text import plain
from tests.factories import PASSWORD
from tests.ui.sessions import session_token

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "![t](http://127.0.0.1:9/{}.png) {}"
MARKDOWN_TYPES = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "error",
    "warning",
    "success",
    "info",
    "toast",
}


def markdown_texts(at: AppTest) -> Iterator[str]:
    """Every string of the rendered page that Streamlit reads as Markdown."""
    for node in at._tree:
        kind = getattr(node, "type", "")
        if kind in MARKDOWN_TYPES:
            yield str(node.value)
        if kind == "metric":
            yield node.proto.label
            yield node.proto.body
        if kind == "radio":
            yield from (str(o) for o in node.options)
        for attribute in ("label", "help"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                yield value


def store_file(order_on: str, order_id: str, sku: str = "sku") -> bytes:
    """A store's export whose shopper, product and SKU are Markdown images."""
    shopper, sku, product = (IMAGE.format(f, f) for f in ("shopper", sku, "product"))
    return (
        "order_id,order_date,status,customer_name,customer_phone,sku,product_name,quantity,unit_price\n"
        f'{order_id},{order_on},completed,"{shopper}",+966500000001,"{sku}","{product}",1,10\n'
    ).encode()


@pytest.fixture
def seeded(duck: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    org_id = orgs.setup(
        duck, "Rose Shop", "SAR", "15", "owner@example.com", PASSWORD, IMAGE.format("user", "user")
    )
    admin = Context(duck, auth.sign_in(duck, "owner@example.com", PASSWORD), org_id)
    customers.define_custom_field(admin, IMAGE.format("field", "field"), "text")
    contact_id = customers.save_customer(
        admin,
        {
            "name": IMAGE.format("name", "name"),
            "city": IMAGE.format("city", "city"),
            "emails": "b@example.com",
        },
        [IMAGE.format("category", "category")],
    )
    customers.add_note(
        admin, contact_id, IMAGE.format("note", "note"), [("![f](x).txt", "text/plain", b"hi")]
    )
    old = (date.today() - timedelta(days=40)).isoformat()
    result = order_import.import_file(
        admin, "Store", "o.csv", store_file(old, "S-1"), auto_paid=False, allow_negative_stock=True
    )
    assert result.new == 1 and not result.problems, result.problems
    return {
        "org_id": org_id,
        "session_token": session_token(admin.db, admin.user.user_id),
        "contact_id": contact_id,
        "order_id": orders.list_orders(admin)[0][0]["order_id"],
        "invoice_number": invoices.list_invoices(admin)[0][0]["number_text"],
    }


@pytest.mark.parametrize(
    ("page", "state"),
    [
        ("streamlit_app.py", {}),  # the sidebar (the signed-in user) over the first page
        ("backoffice/web/pages/customers.py", {}),
        ("backoffice/web/pages/customer.py", {"customer_id": "contact_id"}),
        ("backoffice/web/pages/orders.py", {"order_id": "order_id"}),
        ("backoffice/web/pages/invoices.py", {"invoice_number": "invoice_number"}),
        ("backoffice/web/pages/messages.py", {}),
        ("backoffice/web/pages/users.py", {}),
        ("backoffice/web/pages/account.py", {}),
        ("backoffice/web/pages/products.py", {}),
        ("backoffice/web/pages/payments.py", {}),
        ("backoffice/web/pages/order_import.py", {}),
    ],
)
def test_no_page_hands_user_text_to_markdown_unescaped(
    seeded: dict[str, Any], page: str, state: dict[str, str]
) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.session_state["session_token"] = seeded["session_token"]
    at.session_state["org_id"] = seeded["org_id"]
    for name, key in state.items():
        at.session_state[name] = seeded[key]
    at.run()
    if page != "streamlit_app.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    texts = list(markdown_texts(at))
    assert texts
    leaks = [t for t in texts if "](" in t or "![" in t]
    assert leaks == []


def test_the_profile_shows_the_name_city_category_and_note_literally(seeded: dict[str, Any]) -> None:
    at = AppTest.from_file(str(ROOT / "backoffice/web/pages/customer.py"), default_timeout=30)
    at.session_state["session_token"] = seeded["session_token"]
    at.session_state["org_id"] = seeded["org_id"]
    at.session_state["customer_id"] = seeded["contact_id"]
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == plain(IMAGE.format("name", "name"))
    assert plain(IMAGE.format("city", "city")) in at.caption[0].value
    assert plain(IMAGE.format("category", "category")) in [m.value for m in at.metric]
    assert plain(IMAGE.format("note", "note")) in [m.value for m in at.markdown]
    assert plain(IMAGE.format("field", "field")) in [t.label for t in at.text_input]


def test_the_import_result_names_a_sku_from_the_file_literally(seeded: dict[str, Any]) -> None:
    at = AppTest.from_file(str(ROOT / "backoffice/web/pages/order_import.py"), default_timeout=30)
    at.session_state["session_token"] = seeded["session_token"]
    at.session_state["org_id"] = seeded["org_id"]
    at.run()
    uploader = next(u for u in at.get("file_uploader") if u.label.startswith("Orders file"))
    uploader.set_value(("orders.csv", store_file(date.today().isoformat(), "S-2", "new-sku"), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception, at.exception
    sku = plain(IMAGE.format("new-sku", "new-sku"))  # stock went below zero for it
    assert any(w.value.endswith(sku) for w in at.warning), [w.value for w in at.warning]
    assert [t for t in markdown_texts(at) if "](" in t or "![" in t] == []
