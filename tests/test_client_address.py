"""The client's address behind a reverse proxy: X-Forwarded-For only from a trusted proxy (issue 16, item 9)."""

from __future__ import annotations

import pytest

from backoffice.core.client_address import client_address, parse_trusted_proxies, trusted_proxies

PROXY = parse_trusted_proxies("127.0.0.1, ::1")
LAN = parse_trusted_proxies("127.0.0.1,10.0.0.0/8")


def test_the_setting_reads_addresses_and_networks_and_names_a_bad_entry() -> None:
    assert [str(n) for n in parse_trusted_proxies(" 127.0.0.1 , 10.0.0.0/8,,::1 ")] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    assert parse_trusted_proxies("") == parse_trusted_proxies(None) == ()
    assert trusted_proxies({}) == ()
    assert trusted_proxies({"BACKOFFICE_TRUSTED_PROXIES": "192.168.1.0/24"})[0].num_addresses == 256
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        parse_trusted_proxies("127.0.0.1, 10.0.0.300")


def test_from_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop() -> None:
    assert client_address("127.0.0.1", ["203.0.113.5"], PROXY) == "203.0.113.5"
    # nginx appends $remote_addr; what the client wrote itself stands to its left and is ignored
    assert client_address("127.0.0.1", ["198.51.100.1, 203.0.113.5"], PROXY) == "203.0.113.5"
    # two proxies of ours (an edge at 10.1.2.3, then nginx on the host): both skipped
    assert client_address("127.0.0.1", ["203.0.113.5, 10.1.2.3"], LAN) == "203.0.113.5"
    # the header given twice counts as one list, in order
    assert client_address("10.0.0.9", ["198.51.100.1", "203.0.113.5, 10.0.0.8"], LAN) == "203.0.113.5"


def test_from_an_untrusted_peer_the_header_is_ignored() -> None:
    assert client_address("203.0.113.5", ["10.9.9.9"], PROXY) == "203.0.113.5"
    assert client_address("203.0.113.5", ["127.0.0.1"], LAN) == "203.0.113.5"
    # no proxy configured: even a local peer's header is ignored
    assert client_address("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"
    assert client_address(None, ["203.0.113.5"], ()) == "127.0.0.1"


def test_spoofed_chains_cannot_pick_the_source() -> None:
    # a client inventing a chain of "trusted" hops still ends at its own address, which nginx appended
    assert client_address("127.0.0.1", ["127.0.0.1, 10.0.0.1, 203.0.113.5"], LAN) == "203.0.113.5"
    # junk and empty entries the client wrote are never reached
    assert client_address("127.0.0.1", ["<script>, , unknown, 203.0.113.5"], PROXY) == "203.0.113.5"
    # each attacker's guess with a different invented address still counts against its real address
    sources = {client_address("127.0.0.1", [f"192.0.2.{n}, 203.0.113.5"], PROXY) for n in range(30)}
    assert sources == {"203.0.113.5"}


def test_streamlit_reports_a_loopback_peer_as_none() -> None:
    assert client_address(None, ["203.0.113.5"], PROXY) == "203.0.113.5"
    assert client_address(None, ["203.0.113.5"], parse_trusted_proxies("::1")) == "203.0.113.5"
    assert client_address(None, [], PROXY) == "127.0.0.1"


def test_addresses_are_written_one_way() -> None:
    assert client_address("::ffff:203.0.113.5", [], PROXY) == "203.0.113.5"
    assert client_address("127.0.0.1", ["[2001:DB8::1]:443"], PROXY) == "2001:db8::1"
    assert client_address("127.0.0.1", ["203.0.113.5:51234"], PROXY) == "203.0.113.5"
    assert client_address("::ffff:127.0.0.1", ["203.0.113.5"], PROXY) == "203.0.113.5"
    # a hop that is no address, written by a trusted proxy (nginx on a unix socket writes "unix:"), is the source
    assert client_address("127.0.0.1", ["unix:"], PROXY) == "unix:"
    assert len(client_address("127.0.0.1", ["x" * 500], PROXY)) == 100


def test_every_hop_trusted_gives_the_leftmost() -> None:
    assert client_address("10.0.0.1", ["10.0.0.7"], LAN) == "10.0.0.7"
    assert client_address("10.0.0.1", ["10.0.0.7, 10.0.0.8"], LAN) == "10.0.0.7"
    assert client_address("10.0.0.1", [], LAN) == "10.0.0.1"
