"""The one client-address rule: always a valid address (django-axes stores it as inet)."""

import pytest
from django.test import RequestFactory, override_settings

from dossiers.ratelimit import UNKNOWN_IP, client_ip


@pytest.mark.parametrize(
    ("meta", "trusted", "expected"),
    [
        ({"REMOTE_ADDR": "10.1.2.3"}, False, "10.1.2.3"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}, False, "10.1.2.3"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.1.1.1"}, True, "1.1.1.1"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "unknown"}, True, UNKNOWN_IP),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "1.1.1.1\x00"}, True, UNKNOWN_IP),
        ({"REMOTE_ADDR": ""}, False, UNKNOWN_IP),
        ({"REMOTE_ADDR": "::1"}, False, "::1"),
    ],
)
def test_client_ip_is_always_a_valid_address(meta, trusted, expected):
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)
    with override_settings(RATELIMIT_TRUST_FORWARDED=trusted):
        assert client_ip(request) == expected


def test_client_ip_without_a_request_is_the_unknown_bucket():
    assert client_ip(None) == UNKNOWN_IP
