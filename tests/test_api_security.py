"""Unit checks of the access rules that need no server: signed file links, per-visitor site-key
budgets, and the widget page templating."""

from __future__ import annotations

import time

import pytest

from service.api.routes.documents import _safe_name
from service.api.security import Guard, KeyRing
from service.config import Settings
from service.errors import AuthError, RateLimited
from service.widget.routes import _fill

SITE_KEY = "site-key-0a1b2c3d4e"
PORTAL = "https://portal.example.gov.cn"


def _settings(tmp_path, **overrides) -> Settings:
    values = {"data_dir": tmp_path, "api_keys": ["api-key-9f8e7d"], "site_keys": {SITE_KEY: [PORTAL]}}
    return Settings(**{**values, **overrides})


def test_file_link_is_bound_to_document_and_expires(tmp_path) -> None:
    keys = KeyRing(_settings(tmp_path))
    now = time.time()
    token = keys.sign_file_link("abc", now=now)
    assert keys.check_file_link("abc", token, now=now)
    assert not keys.check_file_link("abd", token, now=now)
    assert not keys.check_file_link("abc", token, now=now + 2 * 24 * 3600)
    expires, _, mac = token.partition(".")
    assert not keys.check_file_link("abc", f"{int(expires) + 1}.{mac}", now=now)


def test_odd_file_link_tokens_are_refused_not_raised(tmp_path) -> None:
    keys = KeyRing(_settings(tmp_path))
    later = int(time.time()) + 3600
    for token in ("", ".", "²." + "a" * 32, f"{later}.中文", f"{later}.", "x.y.z"):
        assert keys.check_file_link("abc", token) is False, token


def test_site_key_budget_is_per_visitor(tmp_path) -> None:
    guard = Guard(_settings(tmp_path, rate_limit_per_minute=2))
    headers = {"authorization": f"Bearer {SITE_KEY}", "origin": PORTAL, "host": "jixiao.example"}
    for _ in range(2):
        guard.admit(headers, "/api/v1/chat", "10.0.0.1")
    # another visitor of the same portal still has a budget of its own
    assert guard.admit(headers, "/api/v1/chat", "10.0.0.2").scope == "site"
    with pytest.raises(RateLimited):
        guard.admit(headers, "/api/v1/chat", "10.0.0.1")


def test_widget_template_is_filled_in_one_pass() -> None:
    page = _fill("<a>{{A}}</a><b>{{B}}</b>{{UNKNOWN}}", A="{{B}}", B="&lt;x&gt;")
    assert page == "<a>{{B}}</a><b>&lt;x&gt;</b>{{UNKNOWN}}"


def test_key_guessing_is_rate_limited_per_client(tmp_path) -> None:
    guard = Guard(_settings(tmp_path, rate_limit_per_minute=2))
    headers = {"authorization": "Bearer wrong-key", "host": "jixiao.example"}
    for _ in range(2):
        with pytest.raises(AuthError):
            guard.admit(headers, "/api/v1/chat", "10.0.0.9")
    with pytest.raises(RateLimited):
        guard.admit(headers, "/api/v1/chat", "10.0.0.9")
    with pytest.raises(AuthError) as caught:  # another client is not affected
        guard.admit(headers, "/api/v1/chat", "10.0.0.10")
    assert not isinstance(caught.value, RateLimited)


def test_upload_names_keep_no_path_and_no_hidden_characters() -> None:
    assert _safe_name("../../etc/passwd") == "passwd.pdf"
    assert _safe_name("..") == "document.pdf"
    assert _safe_name("a\\b:c.pdf") == "a_b_c.pdf"
    assert _safe_name("报告\u202efdp.exe") == "报告_fdp.exe.pdf"  # a right-to-left override
    assert _safe_name("x\x00y\n.pdf") == "x_y_.pdf"
    assert _safe_name(None) == "document.pdf"


def test_file_link_is_stable_within_the_hour_and_valid_a_day(tmp_path) -> None:
    keys = KeyRing(_settings(tmp_path))
    hour = 1_800_000_000 // 3600 * 3600  # a whole hour
    first = keys.sign_file_link("abc", now=hour + 1)
    assert keys.sign_file_link("abc", now=hour + 3599) == first  # a streamed and a whole answer agree
    assert keys.sign_file_link("abc", now=hour + 3601) != first
    assert keys.check_file_link("abc", first, now=hour + 24 * 3600)  # at least 24 hours
    assert not keys.check_file_link("abc", first, now=hour + 25 * 3600 + 1)  # at most 25


def test_local_mode_is_not_throttled_by_the_keyed_limit(tmp_path) -> None:
    headers = {"host": "127.0.0.1:8000"}
    local = Guard(Settings(data_dir=tmp_path))  # defaults: no keys
    for _ in range(500):
        assert local.admit(headers, "/mcp", "127.0.0.1").scope == "local"
    capped = Guard(Settings(data_dir=tmp_path, local_rate_limit_per_minute=3, rate_limit_per_minute=1000))
    for _ in range(3):
        capped.admit(headers, "/mcp", "127.0.0.1")
    with pytest.raises(RateLimited):
        capped.admit(headers, "/mcp", "127.0.0.1")
    # keyed access keeps its limit (60 a minute by default)
    keyed = Guard(_settings(tmp_path))
    api = {"authorization": "Bearer api-key-9f8e7d", "host": "jixiao.example"}
    for _ in range(60):
        keyed.admit(api, "/v1/chat/completions", "10.0.0.1")
    with pytest.raises(RateLimited):
        keyed.admit(api, "/mcp", "10.0.0.1")
