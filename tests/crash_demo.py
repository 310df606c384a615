"""Run `backoffice demo` and make it fail half-way: at its first credit note, when the organization, its users,
customers, products, stock, orders, invoices and payments are written. The demo's tests run it as a separate
process:

    python -m tests.crash_demo HOW backoffice-arguments…

HOW: error (an exception there, as a defect or a lost connection would raise: the command exits 1), power_cut
(the process ends there, exit status 97, nothing flushed, no cleanup). The failure is patched in here; the
product has no hook for it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from backoffice import cli
from backoffice.sales import invoices


def _error(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the demo failed half-way (tests/crash_demo.py)")


def _power_cut(*args: Any, **kwargs: Any) -> Any:
    sys.stdout.flush()
    os._exit(97)


if __name__ == "__main__":
    invoices.issue_credit_note = {"error": _error, "power_cut": _power_cut}[sys.argv[1]]  # type: ignore[assignment]
    sys.exit(cli.main(sys.argv[2:]))
