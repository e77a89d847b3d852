"""The French catalogue is complete, current with the code, and compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FR_PO = ROOT / "locale/fr/LC_MESSAGES/django.po"
FR_MO = FR_PO.with_suffix(".mo")

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed"
)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_french_catalogue_has_no_untranslated_or_fuzzy_string(tmp_path):
    result = run("msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(FR_PO))
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_french_mo_is_compiled_from_the_current_po(tmp_path):
    fresh = tmp_path / "django.mo"
    result = run("msgfmt", "--check", "-o", str(fresh), str(FR_PO))
    assert result.returncode == 0, result.stderr
    assert FR_MO.read_bytes() == fresh.read_bytes(), "run `make messages`: django.mo is stale"


def test_every_translatable_string_of_the_code_is_in_the_catalogue(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "tests", "*.pyc"),
    )
    made = run(
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "fr",
        "--ignore=.venv",
        "--ignore=staticfiles",
        "--ignore=tests",
        cwd=copy,
    )
    assert made.returncode == 0, made.stderr
    missing = run("msgcmp", "--use-untranslated", str(FR_PO), str(copy / FR_PO.relative_to(ROOT)))
    assert missing.returncode == 0, "run `make messages` and translate:\n" + missing.stderr
