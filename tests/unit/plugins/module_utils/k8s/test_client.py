# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import client

KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "one",
    "clusters": [
        {
            "name": "c1",
            "cluster": {"server": "https://one.example:6443/", "insecure-skip-tls-verify": True},
        },
        {"name": "c2", "cluster": {"server": "https://two.example:6443"}},
    ],
    "users": [
        {"name": "u1", "user": {"token": "token-one"}},
        {"name": "u2", "user": {"token": "token-two"}},
    ],
    "contexts": [
        {"name": "one", "context": {"cluster": "c1", "user": "u1"}},
        {"name": "two", "context": {"cluster": "c2", "user": "u2"}},
    ],
}


def test_host_and_api_key_stand_alone():
    config = client.build_configuration(
        {
            "host": "https://api.example:6443/",
            "api_key": "abc",
            "validate_certs": False,
            "ca_cert": None,
            "proxy": "http://proxy:3128",
        }
    )
    assert config.host == "https://api.example:6443"
    assert config.auth_settings()["BearerToken"]["value"] == "Bearer abc"
    assert config.verify_ssl is False
    assert config.proxy == "http://proxy:3128"


def test_kubeconfig_file_and_context(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(KUBECONFIG))
    config = client.build_configuration({"kubeconfig": str(path)})
    assert config.host == "https://one.example:6443"
    assert config.auth_settings()["BearerToken"]["value"] == "Bearer token-one"
    other = client.build_configuration(
        {"kubeconfig": str(path), "context": "two", "validate_certs": True}
    )
    assert other.host == "https://two.example:6443" and other.verify_ssl is True


def test_kubeconfig_as_dict_and_proxy_headers():
    config = client.build_configuration(
        {"kubeconfig": KUBECONFIG, "proxy_headers": {"user_agent": "x/1", "basic_auth": None}}
    )
    assert config.host == "https://one.example:6443"
    assert config.proxy_headers == {"user-agent": "x/1"}


def test_bad_kubeconfig_raises_one_error_type(tmp_path):
    with pytest.raises(client.K8sConfigError, match="Cannot load the Kubernetes configuration"):
        client.build_configuration({"kubeconfig": str(tmp_path / "missing")})
    with pytest.raises(client.K8sConfigError):
        client.build_configuration({"kubeconfig": KUBECONFIG, "context": "nope"})


def test_errors_name_the_kubeconfig_path(tmp_path):
    missing = str(tmp_path / "missing")
    with pytest.raises(client.K8sConfigError) as info:
        client.build_configuration({"kubeconfig": missing})
    assert str(info.value) == (
        "Cannot load the Kubernetes configuration: kubeconfig %s: no such file" % missing
    )
    broken = tmp_path / "no-contexts"
    broken.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": []}))
    with pytest.raises(client.K8sConfigError) as info:
        client.build_configuration({"kubeconfig": str(broken)})
    assert str(info.value).startswith(
        "Cannot load the Kubernetes configuration from kubeconfig %s: " % broken
    )
    with pytest.raises(client.K8sConfigError) as info:
        client.build_configuration({"kubeconfig": KUBECONFIG, "context": "nope"})
    assert "from the kubeconfig given as a dictionary: " in str(info.value)
    assert "token-one" not in str(info.value)


def test_kubeconfig_secrets_of_a_dictionary_only():
    kubeconfig = dict(
        KUBECONFIG,
        users=KUBECONFIG["users"]
        + [
            {
                "name": "u3",
                "user": {"client-key-data": "S0VZ", "client-certificate-data": "Q0VSVA=="},
            },
            {"name": "u4", "user": {"username": "admin", "password": "pw-four"}},
            {
                "name": "u5",
                "user": {
                    "exec": {
                        "command": "get-token",
                        "env": [{"name": "CLOUD_SECRET", "value": "exec-secret"}],
                    },
                    "auth-provider": {"config": {"id-token": "idt", "refresh-token": "rft"}},
                },
            },
        ],
    )
    assert client.kubeconfig_secrets(kubeconfig) == {
        "token-one",
        "token-two",
        "S0VZ",
        "pw-four",
        "exec-secret",
        "idt",
        "rft",
    }
    assert client.kubeconfig_secrets("/home/me/.kube/config") == set()
    assert client.kubeconfig_secrets(None) == set()


def test_env_names_follow_kubernetes_core():
    assert client.AUTH_ENV["kubeconfig"] == ["K8S_AUTH_KUBECONFIG"]
    assert client.AUTH_ENV["validate_certs"][0] == "K8S_AUTH_VERIFY_SSL"
    assert client.AUTH_ENV["client_cert"][0] == "K8S_AUTH_CERT_FILE"


@pytest.mark.parametrize(
    "url, no_proxy, bypass",
    [
        ("https://api.example.net:6443", "", False),
        ("https://api.example.net:6443", "*", True),
        ("https://api.example.net:6443", "other.net, *", True),
        # exact host, domain suffix with or without the leading dot, never a mere string suffix
        ("https://api.example.net:6443", "api.example.net", True),
        ("https://api.example.net:6443", "example.net", True),
        ("https://api.example.net:6443", ".example.net", True),
        ("https://api.example.net:6443", "*.example.net", True),
        ("https://api.example.net:6443", "ample.net", False),
        ("https://example.net", ".example.net", True),
        ("https://API.Example.NET", " example.net ", True),
        # ports: the entry's port must be the URL's (the scheme's default when the URL has none)
        ("https://api.example.net:6443", "api.example.net:6443", True),
        ("https://api.example.net:6443", "api.example.net:443", False),
        ("https://api.example.net", "api.example.net:443", True),
        ("https://api.example.net:6443", "example.net:6443", True),
        # IP addresses and CIDRs, IPv4 and IPv6
        ("https://10.1.2.3:6443", "10.1.2.3", True),
        ("https://10.1.2.3:6443", "10.0.0.0/8", True),
        ("https://10.1.2.3:6443", "10.0.0.0/8:6443", True),
        ("https://10.1.2.3:6443", "10.0.0.0/8:443", False),
        ("https://10.1.2.3:6443", "10.1.2.3:6443", True),
        ("https://10.1.2.3:6443", "192.168.0.0/16,example.net", False),
        ("https://10.1.2.3:6443", "1.2.3", False),
        ("https://[fd00::5]:6443", "fd00::/64", True),
        ("https://[fd00::5]:6443", "[fd00::5]:6443", True),
        ("https://[fd00::5]:6443", "[fd00::5]:443", False),
        ("https://[fd00::5]:6443", "fd01::/64", False),
        ("unix:///var/run/socket", "", True),
    ],
)
def test_bypass_proxy_as_curl_and_requests(url, no_proxy, bypass):
    assert client.bypass_proxy(url, no_proxy) is bypass
