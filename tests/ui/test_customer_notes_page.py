"""The profile's notes: a file of a refused type is named with its reason and nothing is added (issue 14, item 6)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from backoffice.contacts import customers
from backoffice.db import Database
from backoffice.web.text import plain
from tests.factories import make_customer, make_org
from tests.ui.sessions import session_token

ROOT = Path(__file__).resolve().parents[2]


def test_a_disguised_file_is_refused_with_its_name_and_a_real_pdf_is_attached(
    duck: Database, monkeypatch
) -> None:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    org_id, admin = make_org(duck)
    contact_id = make_customer(admin)
    at = AppTest.from_file(str(ROOT / "backoffice/web/pages/customer.py"), default_timeout=30)
    at.session_state["session_token"] = session_token(duck, admin.user.user_id)
    at.session_state["org_id"] = org_id
    at.session_state["customer_id"] = contact_id
    at.run()
    uploader = next(u for u in at.get("file_uploader") if u.label == "Attachments")
    assert ".pdf" in uploader.allowed_type and ".exe" not in uploader.allowed_type
    assert any("at most 10 MB a file and 25 MB per customer" in c.value for c in at.caption)

    at.text_area[0].input("the signed contract")
    uploader.set_value(("contract.pdf", b"MZ\x90\x00 a program", "application/pdf"))
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception
    refused = plain("contract.pdf is not a PDF document: its content does not match its extension")
    assert len(at.error) == 1 and refused in at.error[0].value
    assert customers.list_notes(admin, contact_id) == []

    uploader = next(u for u in at.get("file_uploader") if u.label == "Attachments")
    at.text_area[0].input("the signed contract")
    uploader.set_value(("contract.pdf", b"%PDF-1.7 signed", "application/pdf"))
    next(b for b in at.button if b.label == "Add note").click().run()
    assert not at.exception and not at.error
    note = customers.list_notes(admin, contact_id)[0]
    assert (note["body"], note["attachments"][0]["file_name"]) == ("the signed contract", "contract.pdf")
