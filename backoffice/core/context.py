"""Who is acting, on which organization, and what their role lets them do.

Every public service function takes a Context and calls `ctx.require(permission)`
first, so no screen or script can forget the check (SPEC A3). The CLI acts as the
system user: whoever holds the database file holds every permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backoffice.core.errors import PermissionDenied

if TYPE_CHECKING:  # the Context carries the database; only the db layer knows how to ask it
    from backoffice.db import Database

ROLES = ("admin", "accountant", "sales", "viewer")
_ALL = frozenset(ROLES)
_WRITERS = frozenset({"admin", "accountant", "sales"})
_BOOKS = frozenset({"admin", "accountant"})
_ADMIN = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "customers.read": _ALL,
    "customers.write": _WRITERS,
    "products.write": _BOOKS,
    "orders.write": _WRITERS,
    "invoices.issue": _WRITERS,
    "payments.write": _WRITERS,
    "settings.read": _ALL,
    "settings.write": _ADMIN,
    "users.manage": _ADMIN,
    "ledger.read": frozenset({"admin", "accountant", "viewer"}),
    "ledger.write": _BOOKS,
    "audit.read": _ADMIN,
}


@dataclass(frozen=True)
class User:
    user_id: int | None
    email: str
    name: str
    language: str = "en"
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "cli") -> User:
        return cls(user_id=None, email="", name=name, is_system=True)

    @property
    def actor(self) -> str:
        return self.email or self.name


@dataclass(frozen=True)
class Context:
    db: Database
    user: User
    org_id: int

    def role(self) -> str | None:
        if self.user.is_system:
            return "admin"
        return self.db.role_of(self.org_id, self.user.user_id)

    def can(self, permission: str) -> bool:
        return self.role() in PERMISSIONS[permission]

    def require(self, permission: str) -> None:
        role = self.role()
        if role is None:
            raise PermissionDenied("You have no access to this organization.")
        if role not in PERMISSIONS[permission]:
            raise PermissionDenied(f"Your role ({role}) does not allow this ({permission}).")
