"""Templates compiled once per language with their fixed strings translated (portal/templating.py)."""
from __future__ import annotations

import pytest
from jinja2 import DictLoader

from portal.templating import TranslatedEnvironment


def test_each_language_keeps_its_own_compiled_pages(client):
    """One process serves Vietnamese and English in turn: neither language's copy leaks into the other."""
    for _round in range(2):
        client.set_cookie("lang", "vi")
        vietnamese = client.get("/").get_data(as_text=True)
        client.set_cookie("lang", "en")
        english = client.get("/").get_data(as_text=True)
        assert "Đăng nhập" in vietnamese and "Log in" not in vietnamese
        assert "Log in" in english and "Đăng nhập" not in english
        assert "Mục lục hồ sơ" in vietnamese and "Mục lục hồ sơ" not in english


@pytest.fixture
def folding_env(app):
    """An environment like the app's, over templates of our own, without any runtime gettext at all:
    a template renders only if every one of its messages was translated when it was compiled."""
    env = TranslatedEnvironment(app, loader=DictLoader({
        "plain.html": "<p>{{ _('Đăng nhập') }}</p>",
        "percent.html": "<p>{{ _('100%% số trang') }}</p>",
        "values.html": "<p>{{ _('Xin chào %(name)s, %(n)d thông báo', name=name, n=n) }}</p>",
        "trans.html": "<p>{% trans %}Đăng xuất{% endtrans %}</p>",
    }), extensions=["jinja2.ext.i18n"], autoescape=True)
    env.globals.pop("gettext", None)
    env.globals.pop("_", None)
    return env


def test_fixed_strings_are_translated_when_compiled(app, folding_env):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert folding_env.get_template("plain.html").render() == "<p>Log in</p>"
        assert folding_env.get_template("trans.html").render() == "<p>Log out</p>"
        # the runtime call always formats, so "%%" is one "%" there too
        assert folding_env.get_template("percent.html").render() == "<p>100% số trang</p>"
    with app.test_request_context():
        assert folding_env.get_template("plain.html").render() == "<p>Đăng nhập</p>"


def test_values_are_formatted_in_and_escaped_as_at_run_time(app, folding_env):
    with app.test_request_context():
        html = folding_env.get_template("values.html").render(name="<b>Lan</b>", n=3)
    assert html == "<p>Xin chào &lt;b&gt;Lan&lt;/b&gt;, 3 thông báo</p>"


def test_outside_a_request_the_forced_language_is_used(app, folding_env):
    """A mail rendered by a job (an app context, ``force_locale``) gets the reader's language."""
    from flask_babel import force_locale

    with app.app_context():
        with force_locale("en"):
            assert folding_env.get_template("plain.html").render() == "<p>Log in</p>"
        assert folding_env.get_template("plain.html").render() == "<p>Đăng nhập</p>"
