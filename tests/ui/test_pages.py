"""Page tests with Streamlit's AppTest: every page runs signed out and signed in, and each page's main action works."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backoffice.admin import auth, orgs, sessions
from backoffice.contacts import customers
from backoffice.db import Database
from backoffice.web.registry import PAGES
from backoffice.web.text import plain
from tests.factories import PASSWORD, make_customer, make_org
from tests.ui.sessions import session_token

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "backoffice/web/pages").glob("*.py"))


@pytest.fixture
def app_db(duck: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    return duck


@pytest.fixture
def signed_in(app_db: Database):
    org_id, admin = make_org(app_db, "Rose Shop", country="SA")
    make_customer(admin, name="نورة القحطاني", emails="noura@example.com")

    def start(page: str | None = None, user_id: int | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
        at.session_state["session_token"] = session_token(app_db, user_id or admin.user.user_id)
        at.session_state["org_id"] = org_id
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    start.admin = admin  # type: ignore[attr-defined]
    return start


def test_the_registry_lists_exactly_the_files_in_pages() -> None:
    assert sorted(p.path.relative_to(ROOT).as_posix() for p in PAGES) == PAGE_FILES
    assert all(p.url_path.isascii() for p in PAGES)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_signed_out_shows_the_sign_in_and_stops(app_db: Database, page: str) -> None:
    make_org(app_db)
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.text_input[0].label == "Email or mobile"


@pytest.mark.parametrize("page", [p.path.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_registered_page_runs_signed_in(signed_in, page: str) -> None:
    at = signed_in(page)
    assert at.title and at.title[0].value


def test_sign_in_through_the_form(app_db: Database) -> None:
    make_org(app_db)
    email = auth.list_members(orgs_ctx(app_db))[0]["email"]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    at.text_input[0].input(email)
    at.text_input[1].input("Wrong#pass1")
    at.button[0].click().run()
    assert at.error and plain(auth.SIGN_IN_FAILED) in at.error[0].value  # messages show literally
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.session_state["session_token"]
    assert [c.value for c in at.caption] == ["Signing in…"]  # the browser goes to collect its cookie
    at.run()
    assert at.title[0].value == "Customers"


def orgs_ctx(db: Database):
    from tests.factories import system

    return system(db, orgs.find_org_id(db, None))


def test_first_run_asks_for_the_organization_and_its_admin(app_db: Database) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    assert at.title[0].value == "Welcome! Create your organization"
    at.text_input(key=None)  # type: ignore[call-arg]
    inputs = {t.label.rstrip(" *"): t for t in at.text_input}
    inputs["Organization name"].input("مؤسسة النور")
    inputs["Your name"].input("Huda")
    inputs["Email"].input("huda@example.com")
    inputs["Password"].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert orgs.find_org_id(app_db, "مؤسسة النور")
    assert at.session_state["session_token"]


def test_new_customer_form_shows_the_error_on_the_field_then_saves(signed_in, app_db: Database) -> None:
    at = signed_in("backoffice/web/pages/customers.py")
    at.text_input(key="new_customer_name").input("خالد الشمري")
    at.text_input(key="new_customer_emails").input("not-an-email")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert any("not a valid email" in m.value for m in at.markdown)
    assert customers.list_customers(signed_in.admin, search="خالد").total == 0
    at.text_input(key="new_customer_emails").input("khalid@example.com")
    next(b for b in at.button if b.label == "Save & new").click().run()
    assert not at.exception
    assert customers.list_customers(signed_in.admin, search="خالد").total == 1
    assert at.text_input(key="new_customer_name").value == ""  # cleared for the next one


def test_duplicate_warning_then_save_anyway(signed_in) -> None:
    at = signed_in("backoffice/web/pages/customers.py")
    at.text_input(key="new_customer_name").input("Noura again")
    at.text_input(key="new_customer_emails").input("NOURA@example.com")
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.warning and "Possible duplicate" in at.warning[0].value
    at.checkbox(key="new_customer_allow").check()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert customers.list_customers(signed_in.admin, search="noura@").total == 2


def test_search_filters_the_list(signed_in) -> None:
    at = signed_in("backoffice/web/pages/customers.py")
    at.text_input[0].input("نوره").run()  # teh marbuta written as heh still finds نورة
    assert "1 found" in at.caption[0].value


def test_settings_save_and_field_errors(signed_in) -> None:
    at = signed_in("backoffice/web/pages/settings.py")
    at.text_input(key="org_tax_number").input("123")
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.error and plain("tax_number") in at.error[0].value
    at.text_input(key="org_tax_number").input("310122393500003")
    next(b for b in at.button if b.label == "Save").click().run()
    assert at.success and orgs.get_settings(signed_in.admin)["tax_number"] == "310122393500003"


def test_admin_invites_a_user_and_gets_a_token(signed_in) -> None:
    at = signed_in("backoffice/web/pages/users.py")
    inputs = {t.label.rstrip(" *"): t for t in at.text_input}
    inputs["Email"].input("clerk@example.com")
    inputs["Name"].input("Clerk")
    next(b for b in at.button if b.label == "Invite").click().run()
    assert not at.exception and at.code and len(at.code[0].value) > 20
    auth.redeem_token(signed_in.admin.db, at.code[0].value, "Clerk#Pass1")


def test_my_account_signs_out_my_other_browsers_and_an_admin_signs_out_a_member(signed_in) -> None:
    from tests.factories import make_user

    admin = signed_in.admin
    elsewhere = sessions.start(admin.db, admin.user).token
    at = signed_in("backoffice/web/pages/account.py")
    assert any("Signed-in browsers and devices: 2" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Sign out everywhere else").click().run()
    assert not at.exception and sessions.check(admin.db, elsewhere) is None
    assert sessions.check(admin.db, at.session_state["session_token"]) is not None  # this one stays

    clerk = make_user(admin, "sales")
    theirs = sessions.start(admin.db, clerk.user).token
    at = signed_in("backoffice/web/pages/users.py")
    at.selectbox(key="reset_user").select(f"{clerk.user.name} · {clerk.user.email}")
    next(b for b in at.button if b.label == "Sign out everywhere").click().run()
    assert not at.exception and at.success
    assert sessions.check(admin.db, theirs) is None


def test_viewer_sees_pages_but_not_admin_actions(signed_in) -> None:
    from tests.factories import make_user

    viewer = make_user(signed_in.admin, "viewer")
    at = signed_in("backoffice/web/pages/users.py", user_id=viewer.user.user_id)
    assert any("Only admins" in i.value for i in at.info)


def test_switching_to_arabic_turns_the_page_right_to_left(signed_in) -> None:
    at = signed_in("backoffice/web/pages/account.py")
    at.radio[0].set_value("العربية")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert at.title[0].value == "حسابي"
    assert auth.get_user(signed_in.admin.db, signed_in.admin.user.user_id).language == "ar"
    assert any("direction: rtl" in str(h.proto) for h in at.get("html"))


def test_the_sidebar_language_picker_switches_and_follows_my_account(signed_in) -> None:
    at = signed_in("backoffice/web/pages/account.py")
    at.selectbox(key="language_picker").set_value("العربية").run()
    assert not at.exception
    assert at.title[0].value == "حسابي"
    assert auth.get_user(signed_in.admin.db, signed_in.admin.user.user_id).language == "ar"
    at.radio[0].set_value(
        "English"
    )  # saved on My account: the sidebar follows instead of setting Arabic back
    next(b for b in at.button if b.label == "حفظ").click().run()
    assert not at.exception
    assert at.title[0].value == "My account"
    assert at.selectbox(key="language_picker").value == "English"
    assert auth.get_user(signed_in.admin.db, signed_in.admin.user.user_id).language == "en"


def test_add_a_product_then_sell_it_from_the_orders_page(signed_in) -> None:
    from backoffice.catalog import products
    from backoffice.sales import invoices, orders

    at = signed_in("backoffice/web/pages/products.py")
    inputs = {t.label.rstrip(" *"): t for t in at.text_input}
    inputs["SKU"].input("CUP-1")
    inputs["Name"].input("Cup")
    inputs["Price"].input("20")
    inputs["Cost"].input("8")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and at.success
    admin = signed_in.admin
    products.receive_stock(admin, products.get_product(admin, sku="CUP-1")["product_id"], 5)

    at = signed_in("backoffice/web/pages/orders.py")
    at.selectbox(key="new_order_sku0").select("CUP-1")
    at.text_input(key="new_order_qty0").input("2")
    at.radio[0].set_value("confirmed")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and at.success
    order_id = orders.list_orders(admin)[0][0]["order_id"]
    assert orders.get_order(admin, order_id)["status"] == "confirmed"
    next(b for b in at.button if b.label == "Issue invoice").click().run()
    assert not at.exception and "INV-000001" in at.success[0].value
    assert invoices.get_invoice(admin, "INV-000001")["total_minor"] == 4600


def test_credit_note_from_the_invoices_page(signed_in) -> None:
    from backoffice.catalog import products
    from backoffice.sales import invoices
    from backoffice.sales.orders import LineRequest
    from tests.factories import make_product

    admin = signed_in.admin
    make_product(admin, "MUG", price="10", stock=5)
    number = invoices.issue_direct_invoice(admin, None, [LineRequest("MUG", 3)])
    at = signed_in()
    at.session_state["invoice_number"] = number
    at.switch_page("backoffice/web/pages/invoices.py")
    at.run()
    assert any(number in s.value for s in at.subheader)
    at.number_input(key="ret_1").set_value(2)
    next(b for b in at.button if b.label == "Credit the chosen quantities").click().run()
    assert not at.exception
    assert invoices.get_invoice(admin, number)["credit_notes"] == ["CN-000001"]
    assert products.get_product(admin, sku="MUG")["stock_qty"] == 4
    at.session_state["invoice_number"] = number  # back to the invoice: only the one unit left can be returned
    at.run()
    assert at.number_input(key="ret_1").max == 1


def test_my_account_makes_an_api_token_shown_once_and_revokes_it(signed_in) -> None:
    from backoffice.admin import tokens

    admin = signed_in.admin
    at = signed_in("backoffice/web/pages/account.py")
    next(i for i in at.text_input if i.label == "What it is for").input("nightly export")
    next(b for b in at.button if b.label == "Create token").click().run()
    assert not at.exception
    shown = [c.value for c in at.code]
    assert len(shown) == 1 and shown[0].startswith("bo_")
    assert tokens.authenticate(admin.db, shown[0]).user.user_id == admin.user.user_id  # it works as me
    at.run()
    assert not at.code  # shown once
    next(b for b in at.button if b.label == "Revoke").click().run()
    assert not at.exception
    assert [x["revoked_at"] is not None for x in tokens.list_tokens(admin)] == [True]


def test_settings_backs_up_now_for_the_admin_of_every_organization(signed_in, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BACKOFFICE_BACKUP_DIR", str(tmp_path / "backups"))
    at = signed_in("backoffice/web/pages/settings.py")
    next(b for b in at.button if b.label == "Back up now").click().run()
    assert not at.exception and at.success and "Backed up to" in at.success[0].value
    assert len(list((tmp_path / "backups").glob("backoffice-*.duckdb"))) == 1
