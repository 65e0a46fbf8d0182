# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client factory and the offline input checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import validation
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    TokenCache,
    base_url,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.connection import (
    ENV,
    client_from_options,
    from_environment,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)


def test_client_from_options():
    client = client_from_options(
        {
            "api_url": "https://apstra.test/",
            "username": "u",
            "password": "p",
            "validate_certs": False,
            "timeout": 5,
            "token_cache": True,
        }
    )
    assert (
        client.api_url == "https://apstra.test" and client.verify is False and client.timeout == 5
    )
    assert isinstance(client.token_cache, TokenCache)
    with_ca = client_from_options(
        {"api_url": "https://a", "auth_token": "t", "ca_path": "/etc/ca.pem"}
    )
    assert (
        with_ca.verify == "/etc/ca.pem"
        and with_ca.token == "t"
        and with_ca.token_cache is None
        and with_ca.timeout == 30
    )
    assert (
        client_from_options(
            {"api_url": "https://a", "username": "u", "password": "p", "token_cache": False}
        ).token_cache
        is None
    )


@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "api_url is required (or set APSTRA_API_URL)"),
        (
            {"api_url": "https://a", "username": "u"},
            "username and password, or auth_token, are required",
        ),
    ],
)
def test_client_from_options_names_what_is_missing(options, message):
    with pytest.raises(ValidationError) as info:
        client_from_options(options)
    assert message in str(info.value)


def test_environment_names():
    assert ENV["api_url"] == ["APSTRA_API_URL"] and ENV["validate_certs"] == [
        "APSTRA_VERIFY_CERTIFICATES"
    ]
    # juniper.apstra's names first, then terraform-provider-apstra's
    assert ENV["username"] == ["APSTRA_USERNAME", "APSTRA_USER"]
    assert ENV["password"] == ["APSTRA_PASSWORD", "APSTRA_PASS"]


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, None),
        ({"APSTRA_USER": "tf"}, "tf"),
        ({"APSTRA_USERNAME": "ans", "APSTRA_USER": "tf"}, "ans"),
        # AWX injects the fields a credential leaves empty as empty strings: not set
        ({"APSTRA_USERNAME": "", "APSTRA_USER": "tf"}, "tf"),
        ({"APSTRA_USERNAME": ""}, None),
    ],
)
def test_from_environment_takes_the_first_non_empty(environ, expected):
    assert from_environment("username", environ) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://apstra.test",
        "https://apstra.test/",
        "https://apstra.test/api",
        "https://apstra.test/api/",
        " https://apstra.test/api// ",
    ],
)
def test_api_url_with_or_without_the_api_prefix(url):
    assert base_url(url) == "https://apstra.test"
    client = client_from_options({"api_url": url, "auth_token": "t"})
    assert client.api_url == "https://apstra.test"


def test_api_url_keeps_a_path_prefix_before_api():
    assert base_url("https://gw.test/apstra/api") == "https://gw.test/apstra"
    assert base_url("https://gw.test/apstra") == "https://gw.test/apstra"


@pytest.mark.parametrize("url", ["apstra.test", "ftp://apstra.test", "https://", "//apstra.test"])
def test_a_malformed_api_url_names_the_option(url):
    with pytest.raises(ValidationError) as info:
        client_from_options({"api_url": url, "auth_token": "t"})
    assert str(info.value).startswith("api_url: %r is not an http(s) URL" % url)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: validation.check_vlan("config[0].vlan_id", 4095),
            "config[0].vlan_id=4095 is out of range: allowed 2-4094",
        ),
        (
            lambda: validation.check_vni("config[0].vni", 4095),
            "config[0].vni=4095 is out of range: allowed 4096-16777214",
        ),
        (
            lambda: validation.check_label("config[0].label", "a" * 31),
            "config[0].label='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a valid label",
        ),
        (
            lambda: validation.check_label("config[0].label", None),
            "config[0].label=None is not a valid label",
        ),
        (
            lambda: validation.check_subnet("s", "10.0.0.0"),
            "s='10.0.0.0' is not an IPv4 CIDR such as 10.1.0.0/24",
        ),
        (lambda: validation.check_subnet("s", "fd00::/64"), "s='fd00::/64' is not an IPv4 CIDR"),
        (
            lambda: validation.check_subnet("s", "10.0.0.0/24", "g", "10.0.0.0"),
            "g=10.0.0.0 is not a host address inside s=10.0.0.0/24",
        ),
        (
            lambda: validation.check_subnet("s", "10.0.0.0/24", "g", "10.0.0.255"),
            "g=10.0.0.255 is not a host address inside",
        ),
        (
            lambda: validation.check_subnet("s", "10.0.0.0/24", "g", "nope"),
            "g='nope' is not an IPv4 address",
        ),
    ],
)
def test_checks_name_the_field_and_what_is_allowed(call, message):
    with pytest.raises(ValidationError) as info:
        call()
    assert message in str(info.value)


def test_checks_pass_good_values():
    validation.check_vlan("v", 2)
    validation.check_vni("v", None)
    assert validation.check_subnet("s", "10.0.0.0/24", "g", "10.0.0.1") == "10.0.0.0/24"
    assert validation.check_subnet("s", "10.0.0.0/31", "g", "10.0.0.0") == "10.0.0.0/31"
    assert validation.check_subnet("s", None) is None


def test_unknown_name_lists_near_or_known_names():
    assert (
        str(validation.unknown_name("server", "f", "worker-1", ["worker-01", "db"]))
        == "f: unknown server 'worker-1'; did you mean: worker-01?"
    )
    assert (
        str(validation.unknown_name("server", "f", "zz", ["a", "b"]))
        == "f: unknown server 'zz'; known: a, b"
    )
    assert str(validation.unknown_name("server", "f", "zz", [])) == "f: unknown server 'zz'"
