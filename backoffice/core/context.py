"""Who is acting, on which organization, and what their role lets them do.

Every public service function takes a Context and calls `ctx.require(permission)`
first, so no screen or script can forget the check (SPEC A3). The CLI acts as the
system user: whoever holds the database file holds every permission.

The Context is also the one transaction seam: a service writes inside `with ctx.write() as conn`,
which opens a transaction, or joins the one this thread already holds on the same database. A
service called by another (fulfilling an order issues its invoice, which posts its entry) so
runs inside its caller's transaction: all of it is written, or none. There is one version of
each operation, and it checks its permission whoever calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backoffice.core.enums import Role
from backoffice.core.errors import PermissionDenied

if TYPE_CHECKING:  # the Context carries the database; only the db layer knows how to ask it
    from backoffice.db import Database

ROLES = tuple(Role)
_ALL = frozenset(ROLES)
_WRITERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.SALES})
_BOOKS = frozenset({Role.ADMIN, Role.ACCOUNTANT})
_ADMIN = frozenset({Role.ADMIN})

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
    "ledger.read": frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.VIEWER}),
    "ledger.write": _BOOKS,
    "audit.read": _ADMIN,
    "tokens.own": _ALL,  # one's own API tokens; another user's need users.manage
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


# The write transaction this thread holds, with its database and the organizations it holds the writer lock of:
# (database, connection, org ids). Each thread starts without one (a browser session's script run, the scheduler,
# an import's worker), so transactions never cross threads.
_HELD: ContextVar[tuple[Any, Any, set[int]] | None] = ContextVar("backoffice_transaction", default=None)


@dataclass(frozen=True)
class Context:
    db: Database
    user: User
    org_id: int

    @contextmanager
    def write(self) -> Iterator[Any]:
        """The write transaction: this thread's open one on this database, or a new one, committed when its block
        ends and rolled back on any exception (the outermost block decides for all the blocks inside it). It holds
        the organization's writer lock from its first statement to its end (on PostgreSQL across processes), so
        what a service reads to decide cannot change before it writes (docs/decisions/0011)."""
        held = _HELD.get()
        if held is not None and held[0] is self.db:
            if self.org_id not in held[2]:  # a service of another organization inside this transaction
                self.db.lock_organization(held[1], self.org_id)
                held[2].add(self.org_id)
            yield held[1]
            return
        with self.db.write(self.org_id) as conn:
            token = _HELD.set((self.db, conn, {self.org_id}))
            try:
                yield conn
            finally:
                _HELD.reset(token)

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A connection to read: inside a write transaction, its own (reads see what it wrote so far)."""
        held = _HELD.get()
        if held is not None and held[0] is self.db:
            yield held[1]
            return
        with self.db.read() as conn:
            yield conn

    def _held(self) -> Any:
        held = _HELD.get()
        return held[1] if held is not None and held[0] is self.db else None

    def role(self) -> str | None:
        if self.user.is_system:
            return Role.ADMIN
        return self.db.role_of(self.org_id, self.user.user_id, self._held())

    def org(self) -> dict[str, Any]:
        """The organization's row (currency, rounding, VAT and document settings …), read in this thread's
        transaction when it holds one."""
        return self.db.organization(self.org_id, self._held())

    def can(self, permission: str) -> bool:
        return self.role() in PERMISSIONS[permission]

    def require(self, permission: str) -> None:
        role = self.role()
        if role is None:
            raise PermissionDenied("You have no access to this organization.")
        if role not in PERMISSIONS[permission]:
            raise PermissionDenied(f"Your role ({role}) does not allow this ({permission}).")
