"""Masking secrets: given ones, URL query values, URL credentials and `password=...` pairs."""
from __future__ import annotations

from flows.alerts import mask_secrets


def test_mask_secrets():
    text = "GET https://user:pw@hooks.example/x?token=abc&sig=def&v=1 password=hunter2 api_key: K"
    assert mask_secrets(text) == "GET https://***@hooks.example/x?token=***&sig=***&v=*** password=*** api_key: ***"
    assert mask_secrets("a /services/T/B/XYZ b", ["/services/T/B/XYZ"]) == "a *** b"
