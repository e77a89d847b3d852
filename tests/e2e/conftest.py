"""Real browser tests: Playwright driving Debian's /usr/bin/chromium against live_server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="fr-CA", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.csp_violations = csp_violations
    yield page
    context.close()
    assert not csp_violations, csp_violations


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert not serious, results.generate_report()


def login(page, email: str, password: str) -> None:
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("form").get_by_role("button", name="Connexion").click()


def swapped_by_htmx(page, action, target: str) -> None:
    """Run ``action`` (a click or a select that starts an htmx request swapping ``target`` by
    outerHTML) and return once the new element is in and settled. Clicking before the swap
    lands races it on a loaded machine: the click hits the old element, which htmx then drops.
    The old element is marked first; the new one carries no mark."""
    page.evaluate("(sel) => { document.querySelector(sel).dataset.stale = '1'; }", target)
    action()
    page.wait_for_function(
        """(sel) => {
            const el = document.querySelector(sel);
            return el && !el.dataset.stale
                && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling');
        }""",
        arg=target,
    )


def after_htmx_settles(page, action) -> None:
    """Run ``action`` (a click, a select or a submit that starts an htmx request) and return
    once htmx has swapped the answer in and settled it, with no other htmx request running.
    Any swap (outerHTML, innerHTML, out of band): it counts ``htmx:afterSettle`` events, which
    htmx fires on what it swapped in. The next step then acts on the new elements, not on the
    ones htmx is about to drop: on a loaded machine a click right after a change races the
    swap."""
    before = page.evaluate(
        """() => {
            if (window.__settledSwaps === undefined) {
                window.__settledSwaps = 0;
                document.body.addEventListener('htmx:afterSettle', () => {
                    window.__settledSwaps += 1;
                });
            }
            return window.__settledSwaps;
        }"""
    )
    action()
    page.wait_for_function(
        """(before) => window.__settledSwaps > before
            && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')""",
        arg=before,
    )
