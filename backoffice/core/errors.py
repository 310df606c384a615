"""The one error family every service raises; messages are safe to show a user.

The UI turns these into `st.error` in one helper (backoffice.web.errors); the CLI
prints them to stderr and exits 2 (invalid input) or 1 (anything else).
"""

from __future__ import annotations

from dataclasses import dataclass


class BackofficeError(Exception):
    """Base class: `str(error)` is a sentence a user can act on."""

    exit_code = 1


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationError(BackofficeError):
    """Invalid input. Carries one message per field; nothing was written."""

    exit_code = 2

    def __init__(self, errors: list[FieldError] | str, field: str = "") -> None:
        if isinstance(errors, str):
            errors = [FieldError(field, errors)]
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors))

    def for_field(self, field: str) -> str | None:
        return next((e.message for e in self.errors if e.field == field), None)


class NotFoundError(BackofficeError):
    exit_code = 2


class ConflictError(BackofficeError):
    """The request clashes with what exists (a duplicate, an issued document)."""

    exit_code = 2


class PermissionDenied(BackofficeError):
    pass


class AuthError(BackofficeError):
    """Sign-in failed. Same message for an unknown user and a wrong password."""


class ThrottledError(AuthError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(f"Too many failed sign-in attempts. Try again in {wait_seconds} seconds.")


class DatabaseBusyError(BackofficeError):
    """Another process holds the DuckDB file."""
