"""Production settings pass Django's deployment checklist; a missing secret stops start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_KEY": "bC1kZXBsb3ktY2hlY2stb25seS1ub3QtYS1zZWNyZXQ=",
    "ALLOWED_HOSTS": "camps.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://camps.example.org",
    "SITE_URL": "https://camps.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "STRIPE_SECRET_KEY": "sk_test_deploycheck",
    "STRIPE_WEBHOOK_SECRET": "whsec_deploycheck",
    "DATABASE_URL": "postgres://camps@db.example.org:5432/camps",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_HOST": "smtp.example.org",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # A clean environment: nothing leaks from the test run (pytest-env, developer shell).
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_with_debug_off_stops_start_up_clearly():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_field_encryption_key_with_debug_off_stops_start_up_clearly():
    env = {key: value for key, value in PRODUCTION.items() if key != "FIELD_ENCRYPTION_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is not set" in result.stderr


def test_simulated_payments_are_refused_with_debug_off_unless_explicitly_allowed():
    without_stripe = {
        key: value for key, value in PRODUCTION.items() if not key.startswith("STRIPE_")
    }

    refused = manage("check", env=without_stripe)
    allowed = manage("check", env={**without_stripe, "ALLOW_SIMULATED_PAYMENTS": "1"})

    assert refused.returncode != 0
    assert "simulated payment provider" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
