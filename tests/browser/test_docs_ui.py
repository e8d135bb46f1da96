"""A person in a browser: /docs (Swagger UI) against a real server, driven by headless Debian Chromium.

Registers and logs in through "Try it out", authorizes with the token (bearerAuth), calls routes,
then creates an API key and authorizes with it (apiKeyAuth), checking what the page shows each time.
Saves artifacts/docs-ui.png. Needs the system browser (`apt-get install chromium`); never downloads one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.live import LiveServer, live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOT = ROOT / "artifacts" / "docs-ui.png"
PASSWORD = "correct-horse-42"
TIMEOUT_MS = 20_000

# CI sets REQUIRE_BROWSER=1: a missing browser fails the run instead of skipping the test.
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
if not Path(CHROMIUM).exists():
    if REQUIRE_BROWSER:
        raise RuntimeError(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}: apt-get install chromium")
    pytest.skip(f"no system Chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The app served by gunicorn on a fresh migrated SQLite file."""
    with live_server(tmp_path_factory.mktemp("browser")) as live:
        yield live


@pytest.fixture
def page(server: LiveServer):
    """A Chromium page that records every URL it requests."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.requested = []  # type: ignore[attr-defined]
        page.on("request", lambda request: page.requested.append(request.url))  # type: ignore[attr-defined]
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda message: message.type == "error"  # type: ignore[attr-defined]
                and page.console_errors.append(message.text))
        try:
            yield page
        finally:
            context.close()
            browser.close()


class SwaggerPage:
    """What a person does on the Swagger UI page, one operation at a time."""

    def __init__(self, page: Any, document: dict[str, Any]) -> None:
        self.page = page
        self.document = document

    def operation(self, method: str, path: str) -> Any:
        """The operation's block on the page, expanded."""
        operation = self.document["paths"][path][method]
        block = self.page.locator(f"#operations-{operation['tags'][0]}-{operation['operationId']}")
        if block.get_attribute("class") and "is-open" not in block.get_attribute("class"):
            block.locator(".opblock-summary-control").click()
        return block

    def try_it(self, method: str, path: str, body: dict[str, Any] | None = None,
               expect: str | None = None) -> tuple[int, Any]:
        """Try it out, (edit the body,) Execute; return the status and body the page shows."""
        block = self.operation(method, path)
        try_out = block.locator(".try-out__btn")
        if try_out.inner_text().strip() == "Try it out":
            try_out.click()
        if body is not None:
            block.locator("textarea.body-param__text").fill(json.dumps(body))
        clear = block.locator("button.btn-clear")
        if clear.count():
            clear.click()  # so the response read below is this call's, not the previous one's
        block.locator("button.execute").click()
        status_cell = block.locator(".live-responses-table .response .response-col_status")
        status_cell.wait_for()
        shown = block.locator(".live-responses-table .response-col_description pre.microlight").first
        if expect is not None:
            sync_api.expect(shown).to_contain_text(expect)
        text = shown.inner_text()
        return int(status_cell.inner_text().strip()), json.loads(text)

    def _open_authorizations(self) -> Any:
        self.page.locator(".auth-wrapper button.authorize").click()
        modal = self.page.locator(".modal-ux")
        modal.wait_for()
        for logout in modal.locator("button:has-text('Logout')").all():
            logout.click()
        return modal

    def log_out(self) -> None:
        """Open Authorize, log out of every scheme, close."""
        modal = self._open_authorizations()
        modal.locator("button.btn-done").first.click()
        modal.wait_for(state="detached")

    def authorize(self, scheme: str, value: str) -> None:
        """Open Authorize, log out of any scheme, fill `scheme` with `value`, authorize, close."""
        modal = self._open_authorizations()
        container = modal.locator(".auth-container").filter(has_text=scheme)
        container.locator("input").first.fill(value)
        container.locator("button.authorize").click()
        sync_api.expect(container.locator("button:has-text('Logout')")).to_be_visible()
        modal.locator("button.btn-done").first.click()
        modal.wait_for(state="detached")


def test_try_the_api_in_the_browser(server: LiveServer, page: Any):
    status, document = server.call("GET", "/openapi.json")
    assert status == 200
    page.goto(f"{server.url}/docs")
    ui = SwaggerPage(page, document)
    ui.operation("post", "/api/auth/register").wait_for()
    assert "QuantumLeap API" in page.locator(".info .title").inner_text()

    # Register and log in through "Try it out".
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    status, user = ui.try_it("post", "/api/auth/register", {"email": email, "password": PASSWORD}, expect=email)
    assert status == 201 and user["email"] == email and "password" not in json.dumps(user)
    status, tokens = ui.try_it("post", "/api/auth/login", {"email": email, "password": PASSWORD},
                               expect="access_token")
    assert status == 200 and tokens["token_type"] == "Bearer"

    # Authorize with the copied token, then call authenticated and public routes.
    ui.authorize("bearerAuth", tokens["access_token"])
    status, me = ui.try_it("get", "/api/auth/me", expect=email)
    assert status == 200 and me["email"] == email and me["auth_method"] == "jwt"
    status, ready = ui.try_it("get", "/api/health/ready", expect="ready")
    assert status == 200 and ready["schema"] == "valid"
    # A new account has no snapshot: the page shows the 404 in the one error format.
    status, latest = ui.try_it("get", "/api/portfolio/latest", expect="not_found")
    assert status == 404 and latest["error"] == "not_found" and latest["error_code"] == "GEN_404"
    status, trading = ui.try_it("get", "/api/trading/status", expect="timestamp")
    assert status == 200 and trading["status"] == "active" and trading["database"]

    # Create an API key, log out: the page shows the 401 in the error format; authorize with the key.
    status, created = ui.try_it("post", "/api/auth/api-keys", {"name": "browser key"}, expect='"key"')
    assert status == 201 and created["key"]
    ui.log_out()
    status, refused = ui.try_it("get", "/api/auth/me", expect="missing_credentials")
    assert status == 401 and refused["error_code"] == "AUTH_001"
    ui.authorize("apiKeyAuth", created["key"])
    status, me = ui.try_it("get", "/api/auth/me", expect="api_key")
    assert status == 200 and me["auth_method"] == "api_key" and me["email"] == email

    SCREENSHOT.parent.mkdir(exist_ok=True)
    ui.operation("get", "/api/auth/me").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))  # the /me call answered through the API key
    page.screenshot(path=str(SCREENSHOT.with_name("docs-ui-full.png")), full_page=True)
    # persistAuthorization: a reload keeps the key, so a person does not paste it again.
    page.reload()
    sync_api.expect(page.locator(".auth-wrapper button.authorize")).to_have_class(re.compile(r"(^|\s)locked(\s|$)"))
    status, me = ui.try_it("get", "/api/auth/me", expect="api_key")
    assert status == 200

    outside = [url for url in page.requested if not url.startswith(server.url) and not url.startswith("data:")]
    assert not outside, f"the page fetched from outside the app (it must work offline): {outside}"
    blocked = [text[:200] for text in page.console_errors if "Content Security Policy" in text]
    assert not blocked, f"the page's content security policy blocked something Swagger UI needs: {blocked[:3]}"
