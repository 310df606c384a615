"""The page registry: every screen in backoffice/web/pages/ named once, with its section and ASCII url path.

Pages are addressed by absolute paths inside the package, so they resolve wherever the app is started from:
`streamlit run streamlit_app.py` in a checkout, or `backoffice serve` from an installed wheel.
A meta-test checks that pages/ and this list hold the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    name: str  # the file's stem in pages/
    title: str
    icon: str
    url_path: str
    section: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / f"{self.name}.py"


PAGES: list[PageSpec] = [
    PageSpec("customers", "Customers", ":material/group:", "customers", "Sales"),
    PageSpec("customer", "Customer profile", ":material/person:", "customer", "Sales"),
    PageSpec("orders", "Orders", ":material/shopping_cart:", "orders", "Sales"),
    PageSpec("invoices", "Invoices", ":material/receipt_long:", "invoices", "Sales"),
    PageSpec("order_import", "Store import", ":material/upload_file:", "store-import", "Sales"),
    PageSpec("payments", "Payments", ":material/payments:", "payments", "Sales"),
    PageSpec("messages", "Messages", ":material/mail:", "messages", "Sales"),
    PageSpec("products", "Products", ":material/inventory_2:", "products", "Sales"),
    PageSpec("reports", "Reports", ":material/monitoring:", "reports", "Accounting"),
    PageSpec("books", "Books", ":material/account_balance:", "books", "Accounting"),
    PageSpec("settings", "Settings", ":material/settings:", "settings", "Administration"),
    PageSpec("users", "Users and organizations", ":material/manage_accounts:", "users", "Administration"),
    PageSpec("account", "My account", ":material/badge:", "account", "Administration"),
]


def page_path(name: str) -> Path:
    """The file of a registered page, for st.switch_page and st.page_link (KeyError for an unregistered one)."""
    return {spec.name: spec.path for spec in PAGES}[name].resolve()
