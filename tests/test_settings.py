"""Production guards in settings.py, checked in a fresh interpreter per environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "-production-secret-0123456789"


def run_settings(env_overrides, code="import salesflow.settings"):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "SALESFLOW_ENV"}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("env", [
    {"SALESFLOW_ENV": "production", "DEBUG": "1", "SECRET_KEY": GOOD_KEY},
    {"SALESFLOW_ENV": "production"},                                   # default key
    {"SALESFLOW_ENV": "production", "SECRET_KEY": "short"},
    {"SALESFLOW_ENV": "production", "SECRET_KEY": "dev-insecure-salesflow-secret-key-change-me"},
])
def test_production_refuses_unsafe_configuration(env):
    result = run_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_with_good_key_is_hardened():
    code = ("import salesflow.settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_SSL_REDIRECT, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['default-src'], "
            "s.ALLOW_DEMO_DATA, 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE)")
    result = run_settings({"SALESFLOW_ENV": "production", "SECRET_KEY": GOOD_KEY}, code)
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, hsts, ssl, csp, demo, csp_mw = result.stdout.split(" ", 7)
    assert debug == "False" and session_secure == "True" and csrf_secure == "True"
    assert int(hsts) >= 31536000 and ssl == "True"
    assert "self" in csp and demo == "False" and csp_mw.strip() == "True"


def test_development_defaults():
    result = run_settings({}, "import salesflow.settings as s; print(s.DEBUG, s.ALLOW_DEMO_DATA)")
    assert result.returncode == 0 and result.stdout.split() == ["True", "True"]
