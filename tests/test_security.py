"""Security headers on every response, a strict CSP the templates can live with, cookies,
session rotation at login, production settings and ProxyFix."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ProductionConfig

from .conftest import PASSWORD, login

TEMPLATES = Path(__file__).resolve().parents[1] / "portal" / "templates"


@pytest.mark.parametrize("url", ["/", "/phong", "/tai-khoan/dang-nhap", "/tai-khoan/dang-ky", "/khong-co-trang-nay"])
def test_every_page_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in response.headers  # only in production, behind TLS


def test_templates_have_no_inline_script_style_or_event_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"\sstyle\s*=", r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", r"\son[a-z]+\s*=", r"javascript:",
                        r"<style[\s>]"):
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {match.group(0)!r}")
    assert offenders == []


def test_session_cookie_flags_and_rotation_at_login(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"
    response = login(client, user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")


def test_production_requires_a_secret_and_sets_secure_cookies_and_hsts(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app()
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://phongdoc.example.vn")
    app = create_app()
    assert isinstance(app.config["SESSION_COOKIE_SECURE"], bool) and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["ENV_NAME"] == ProductionConfig.ENV_NAME
    response = app.test_client().get("/khong-co-trang-nay", base_url="https://phongdoc.example.vn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    # Unknown hosts are refused (a forged Host header cannot reach a page, nor a mail).
    refused = app.test_client().get("/tai-khoan/quen-mat-khau", base_url="https://evil.example")
    assert refused.status_code == 400
    monkeypatch.setenv("TRUSTED_HOSTS", "www.phongdoc.example.vn, 127.0.0.1")
    app = create_app()
    assert app.test_client().get("/", base_url="https://www.phongdoc.example.vn").status_code != 400
    assert app.test_client().get("/", base_url="https://evil.example").status_code == 400


def _forwarded_view(app) -> dict[str, str]:
    """What the app sees of a request sent through a proxy that sets X-Forwarded-*."""
    from flask import request

    seen: dict[str, str] = {}

    @app.get("/_test/addr")
    def remote():
        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
        return ""

    app.test_client().get("/_test/addr", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    return seen


def test_forwarded_headers_are_ignored_without_configuration(tmp_path):
    # An app of its own: the test adds a route, which an app that has served requests refuses.
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DATA_DIR": str(tmp_path / "d")})
    assert _forwarded_view(app) == {"addr": "127.0.0.1", "scheme": "http"}


def test_proxy_fix_when_configured(tmp_path):
    app = create_app({"TESTING": True, "PROXY_FIX_HOPS": 1, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "DATA_DIR": str(tmp_path / "d")})
    assert _forwarded_view(app) == {"addr": "203.0.113.9", "scheme": "https"}


def test_login_next_only_goes_to_this_site(client, make_user):
    user = make_user()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/tai-khoan/dang-nhap?next={target}", data={"email": user.email,
                                                                           "password": PASSWORD})
        assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]
        client.post("/tai-khoan/dang-xuat")
