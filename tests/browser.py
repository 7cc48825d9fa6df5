"""The `browser` fixture: Debian's chromium driven by Playwright, headless.

`make test` installs chromium (and a CJK font) with apt when they are missing; Playwright
never downloads a browser. Registered for every test by tests/conftest.py.
"""

from __future__ import annotations

import os

import pytest
from playwright.async_api import async_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
async def browser():
    assert os.access(CHROMIUM, os.X_OK), "no /usr/bin/chromium: `make test` installs it (apt-get)"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()
