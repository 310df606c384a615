"""Run the `backoffice` command line and end the process at one step of a store import, as a power cut would
(exit status 97, nothing flushed, no cleanup). The import's crash tests run it as a separate process:

    python -m tests.crash_import STEP backoffice-arguments…

STEP: staged (the file read and checked, nothing written), orders (inside a batch's transaction, its orders
written, not committed), before_commit (a batch's transaction complete, not committed), batch (the first batch
committed, the second begun). The hooks are patched in here; the product has none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from backoffice import cli
from backoffice import imports as store_import
from backoffice.db.queries import imports as imports_q
from backoffice.db.queries import staging


def _power_cut() -> None:
    sys.stdout.flush()
    os._exit(97)


def _before(owner: Any, name: str) -> None:
    def cut(*args: Any, **kwargs: Any) -> Any:
        _power_cut()

    setattr(owner, name, cut)


def _after(owner: Any, name: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def cut(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        _power_cut()

    setattr(owner, name, cut)


def _at_second_batch() -> None:
    original = store_import._Writer.batch

    def batch(self: Any, conn: Any, index: int) -> None:
        if index == 1:  # batch 0 committed; the second one's transaction is open, nothing of it written
            _power_cut()
        original(self, conn, index)

    store_import._Writer.batch = batch  # type: ignore[method-assign]


STEPS: dict[str, Callable[[], None]] = {
    "staged": lambda: _before(staging, "weighted_batches"),
    "orders": lambda: _after(imports_q, "advance_changed"),
    "before_commit": lambda: _after(store_import._Writer, "batch"),
    "batch": _at_second_batch,
}

if __name__ == "__main__":
    STEPS[sys.argv[1]]()
    sys.exit(cli.main(sys.argv[2:]))
