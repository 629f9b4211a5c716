"""Browser journeys: Debian's Chromium driven by Playwright against a live server on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
    "chromium-browser"
)
SKIP_REASON = (
    "browser tests skipped: no Chromium found — install Debian's chromium "
    "(apt-get install -y chromium) or set CHROMIUM=/path/to/chromium to enable them"
)
try:
    import playwright.sync_api  # noqa: F401

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - the test extras install it
    HAVE_PLAYWRIGHT = False
    SKIP_REASON = "browser tests skipped: the playwright package is missing (make test installs it)"


def pytest_report_header(config):
    if not CHROMIUM or not HAVE_PLAYWRIGHT:
        return SKIP_REASON
    return f"browser tests: Chromium at {CHROMIUM}"


def pytest_collection_modifyitems(config, items):
    # Under xdist one worker runs them all, in order, against one server and one browser
    # (ONE_WORKER in tests/conftest.py).
    if CHROMIUM and HAVE_PLAYWRIGHT:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("e2e-instance"))


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory):
    """A forum started from nothing (migrations and ``forum init --no-demo``); its first
    administrator is ``founder``."""
    yield from _serve(tmp_path_factory.mktemp("e2e-empty"), "--empty")


def _serve(instance, *flags: str):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # The server binds port 0 and says which port the OS gave it: no race with other workers.
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.server", str(instance), *flags],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        said: list[str] = []  # what the server printed before it was ready (migrations log)
        line = process.stdout.readline()
        while line and not line.startswith("ready "):
            said.append(line)
            line = process.stdout.readline()
        if not line:
            pytest.fail("the test server did not start: " + "".join(said))
        # Keep reading what it logs, so a full pipe never stalls the server mid-journey.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, tmp_path, request):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    shot = tmp_path / f"{request.node.name}.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()


def log_in(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


AXE_DIR = ROOT / ".cache" / "e2e"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry, installed once into .cache/ (never loaded from a CDN)."""
    if not AXE_FILE.exists():
        npm = shutil.which("npm")
        if not npm:
            pytest.skip("accessibility checks skipped: npm is needed to install axe-core")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(AXE_DIR),
             "axe-core@4"],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0 or not AXE_FILE.exists():
            pytest.fail(f"could not install axe-core from the npm registry: {result.stderr}")
    return AXE_FILE.read_text()
