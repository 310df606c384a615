"""The page registry: every screen in pages/ named once, with its section and ASCII url path.

A meta-test checks that pages/ and this list hold the same files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    section: str


PAGES: list[PageSpec] = [
    PageSpec("pages/customers.py", "Customers", ":material/group:", "customers", "Sales"),
    PageSpec("pages/customer.py", "Customer profile", ":material/person:", "customer", "Sales"),
    PageSpec("pages/orders.py", "Orders", ":material/shopping_cart:", "orders", "Sales"),
    PageSpec("pages/invoices.py", "Invoices", ":material/receipt_long:", "invoices", "Sales"),
    PageSpec("pages/order_import.py", "Store import", ":material/upload_file:", "store-import", "Sales"),
    PageSpec("pages/payments.py", "Payments", ":material/payments:", "payments", "Sales"),
    PageSpec("pages/messages.py", "Messages", ":material/mail:", "messages", "Sales"),
    PageSpec("pages/products.py", "Products", ":material/inventory_2:", "products", "Sales"),
    PageSpec("pages/reports.py", "Reports", ":material/monitoring:", "reports", "Accounting"),
    PageSpec("pages/books.py", "Books", ":material/account_balance:", "books", "Accounting"),
    PageSpec("pages/settings.py", "Settings", ":material/settings:", "settings", "Administration"),
    PageSpec(
        "pages/users.py", "Users and organizations", ":material/manage_accounts:", "users", "Administration"
    ),
    PageSpec("pages/account.py", "My account", ":material/badge:", "account", "Administration"),
]
