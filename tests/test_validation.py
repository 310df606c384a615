"""One email rule (backoffice.core.validation.is_email): an address a customer card, a user or a contact import accepts is
one the messaging accepts as a recipient, and the reverse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice import messaging
from backoffice.core.errors import ValidationError
from backoffice.core.validation import check_emails, is_email, split_emails


def _card_accepts(text: str) -> list[str] | None:
    found, problem = check_emails(text)
    return None if problem else found


def _mail_accepts(text: str) -> list[str] | None:
    try:
        return [a.lower() for a in messaging.parse_addresses(text)]
    except ValidationError:
        return None


@pytest.mark.parametrize(
    "address",
    [
        "ali@example.com",
        "Ali.Hassan@Example.COM",
        "user+tag@sub.example.co.uk",
        "o'brien@example.ie",
        "info@مثال.السعودية",  # an IDN domain, as typed
        "info@xn--mgbh0fb.xn--mgberp4a5d4ar",  # the same as an A-label
        "نورة@example.sa",  # an internationalized local part (RFC 6531)
        "<ali@example.com>",  # the angle brackets of a pasted "Name <address>" part
    ],
)
def test_good_addresses_are_accepted_everywhere(address: str) -> None:
    assert _card_accepts(address) == _mail_accepts(address) == [address.strip("<>").lower()]


@pytest.mark.parametrize(
    "address",
    [
        "ali(work)@example.com",  # the card took it, the messaging refused it
        "ali@example.c",  # the messaging took these three, the card refused them
        "ali@example.com.",
        "ali@a..com",
        "ali@@example.com",
        "ali@example",
        "ali hassan@example.com",
        '"ali"@example.com',
        "ali.@example.com",
        ".ali@example.com",
        "ali..h@example.com",
        "ali@-example.com",
        "ali@example-.com",
        "ali@exa_mple.com",
        "ali@192.168.0.1",
        "ali@[192.168.0.1]",
        "\u200fali@example.com",  # an invisible right-to-left mark pasted with the address
        "a" * 65 + "@example.com",
        "ali@" + "a" * 64 + ".com",
        "ali@" + ("a" * 60 + ".") * 5 + "com",  # longer than 254 characters
    ],
)
def test_bad_addresses_are_refused_everywhere(address: str) -> None:
    assert not is_email(address)
    assert _card_accepts(address) is None and _mail_accepts(address) is None


def test_lists_split_alike() -> None:
    text = " Ali@Example.com; bo@example.com ,, <cy@example.com>\r\n"
    assert split_emails(text) == ["Ali@Example.com", "bo@example.com", "cy@example.com"]
    assert split_emails(["ali@example.com", " ", "bo@example.com"]) == ["ali@example.com", "bo@example.com"]
    assert (
        _card_accepts(text) == _mail_accepts(text) == ["ali@example.com", "bo@example.com", "cy@example.com"]
    )
    assert messaging.parse_addresses("Ali@Example.com, ali@example.com") == ["Ali@Example.com"]  # case kept


_PIECES = st.sampled_from(
    ["ali", "Bo", "x", "نورة", "مثال", "السعودية", "example", "com", "sa", "c", "co.uk", "xn--mgbh0fb", "a-b", "1",
     "_", "-", ".", "..", "@", " ", "(", ")", "<", ">", '"', "'", "+", ",", ";", ":", "[", "]", "\\", "\u200f",
     "\r\n", "\x00", "é", "ß", "٣"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_card_and_the_messaging_accept_the_same_addresses(text: str) -> None:
    assert _card_accepts(text) == _mail_accepts(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["ali", "Bo", "نورة", "a.b", "x+y", "o'k", "_", "-", "."]), min_size=1, max_size=4
    ),
    st.lists(
        st.sampled_from(["example", "مثال", "a-b", "xn--mgbh0fb", "1", "-", "_", ""]), min_size=1, max_size=3
    ),
    st.sampled_from(["com", "sa", "السعودية", "c", "1", "xn--mgberp4a5d4ar", ""]),
)
def test_address_shaped_text_is_judged_alike(local: list[str], labels: list[str], top: str) -> None:
    address = "".join(local) + "@" + ".".join([*labels, top])
    assert _card_accepts(address) == _mail_accepts(address)
    assert (_card_accepts(address) is not None) == is_email(address)
