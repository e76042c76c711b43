"""The client address behind the shop's proxy: only declared proxies are believed."""

import pytest

from bot.clients import client_key, client_origin, parse_trusted_proxies

PROXY = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    origin = client_origin("203.0.113.9", "198.51.100.1", "https", PROXY)
    assert origin.address == "203.0.113.9" and origin.scheme is None


def test_forwarded_for_from_the_trusted_proxy_names_the_client():
    origin = client_origin("127.0.0.1", "198.51.100.7", "https", PROXY)
    assert origin.address == "198.51.100.7" and origin.scheme == "https"


def test_an_attacker_cannot_prepend_a_fake_address_through_the_proxy():
    # The attacker sends "X-Forwarded-For: 1.2.3.4"; our proxy appends the real address.
    origin = client_origin("127.0.0.1", "1.2.3.4, 198.51.100.7", None, PROXY)
    assert origin.address == "198.51.100.7"


def test_a_chain_of_our_own_proxies_is_walked_past():
    origin = client_origin("10.0.0.2", "198.51.100.7, 10.0.0.1", None, PROXY)
    assert origin.address == "198.51.100.7"


def test_no_proxies_declared_means_the_peer_is_the_client():
    assert client_origin("127.0.0.1", "198.51.100.7", None, ()).address == "127.0.0.1"


def test_a_bad_proxy_entry_is_an_error_not_a_silent_skip():
    with pytest.raises(ValueError, match="MADOGUCHI_TRUSTED_PROXIES"):
        parse_trusted_proxies("127.0.0.1, proxy.local")


def test_client_key_is_stable_and_does_not_contain_the_address():
    key = client_key(b"secret", "198.51.100.7")
    assert key == client_key(b"secret", "198.51.100.7") != client_key(b"other", "198.51.100.7")
    assert "198.51.100.7" not in key
