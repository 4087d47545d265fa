"""Browser tests: the real app on a loopback port, driven by Playwright in Debian's Chromium.

Every test module here sets ``pytestmark = pytest.mark.browser``, so ``make test``
skips them and ``.ci/run`` runs them with ``pytest -m browser``. The app uses the
same test database and fixtures as the integration tests, but keeps CSRF protection
on, as in production.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """As in production: CSRF on (the integration fixtures turn it off for convenience)."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free loopback port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Debian's Chromium, never a downloaded one: `playwright install` is not used here.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator:
    """Open browser contexts (fresh cookies, like a new device); all closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(**options: object) -> BrowserContext:
        # bypass_csp: axe-core is injected as a script; the app's own pages need no bypass.
        context = browser.new_context(bypass_csp=True, **options)
        # Generous: a shared CI machine can be slow; a real failure still fails, later.
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context(viewport={"width": 1024, "height": 768}).new_page()
