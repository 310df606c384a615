"""One place that turns BackofficeError into what a user sees (st.error), with field messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from backoffice.core.errors import BackofficeError, ValidationError
from backoffice.core.i18n import translate
from backoffice.web.text import plain

T = TypeVar("T")


@contextmanager
def show_errors(lang: str = "en") -> Iterator[None]:
    """Run a service call; a BackofficeError becomes a readable error box instead of a traceback."""
    try:
        yield
    except ValidationError as exc:
        lines = [
            f"**{plain(translate(e.field, lang))}**: {plain(translate(e.message, lang))}"
            if e.field
            else plain(translate(e.message, lang))
            for e in exc.errors
        ]
        st.error("\n\n".join(lines), icon="⚠️")
    except BackofficeError as exc:
        st.error(plain(translate(str(exc), lang)), icon="⚠️")


def attempt(call: Callable[..., T], *args: Any, lang: str = "en", **kwargs: Any) -> T | None:
    """Call a service; on a BackofficeError show it and return None."""
    with show_errors(lang):
        return call(*args, **kwargs)
    return None
