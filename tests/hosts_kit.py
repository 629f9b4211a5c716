"""Two forum hosts for tests: gunicorn masters on free ports of 127.0.0.1, each with an instance
folder of its own (no shared disk), on one PostgreSQL database and one Redis; a browser-like
client (cookies, forms with their CSRF tokens, redirects not followed); worker processes."""
from __future__ import annotations

import http.cookiejar
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def gunicorn_installed() -> bool:
    return GUNICORN.exists() or shutil.which("gunicorn") is not None


class Host:
    """``gunicorn wsgi:app`` with two sync workers, environment ``env``; started at once,
    ``wait_until_serving`` waits for its first page."""

    def __init__(self, name: str, env: dict, log_folder: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_folder / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN if GUNICORN.exists() else "gunicorn"), "--bind",
             f"127.0.0.1:{self.port}", "--workers", "2", "--worker-class", "sync",
             "--timeout", "60", "--graceful-timeout", "2", "--log-level", "warning",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_until_serving(self, seconds: float = 90) -> Host:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/", timeout=5).read()  # noqa: S310
                return self
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"host {self.name} did not start:\n{self.log()}") from None
                time.sleep(0.2)

    def ask_to_stop(self) -> None:
        """SIGTERM: gunicorn lets the requests under way finish, then stops."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        self.ask_to_stop()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    text: str
    headers: dict


class _Forms(HTMLParser):
    """Every form's action and the values its fields would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        elif self.forms and tag == "input" and attrs.get("name"):
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if attrs.get("type") == "submit":
                return
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""
        elif self.forms and tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1][1][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


class Browser:
    """One visitor: a cookie jar (a cookie set by one host is sent to the other too, as both
    are 127.0.0.1), pages fetched as text, forms sent as a browser would."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), dict(error.headers))

    def get(self, url: str) -> Answer:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict) -> Answer:
        return self._open(urllib.request.Request(
            url, data=urllib.parse.urlencode(data).encode(), method="POST"))

    def post_file(self, url: str, data: dict, field: str, filename: str,
                  content: bytes) -> Answer:
        """A form with a file, sent as ``multipart/form-data`` as a browser sends it."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                 f"{value}\r\n".encode() for name, value in data.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                     "\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self._open(urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}))

    def fetch(self, url: str) -> tuple[int, bytes, dict]:
        """A response's status, bytes and headers (an image, say)."""
        try:
            with self.opener.open(urllib.request.Request(url), timeout=60) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def form(self, page_url: str, action: str) -> dict[str, str]:
        """The fields of the form on ``page_url`` that posts to ``action``, as filled in."""
        page = self.get(page_url)
        assert page.status == 200, (page_url, page.status)
        parser = _Forms()
        parser.feed(page.text)
        for found, fields in parser.forms:
            # A form without an action posts to the page it is on.
            if urllib.parse.urlsplit(found or page_url).path == action:
                return fields
        raise AssertionError(f"no form posting to {action} on {page_url}")

    def submit(self, base: str, page: str, action: str, **values: str) -> Answer:
        fields = self.form(base + page, action)
        fields.update(values)
        return self.post(base + action, fields)

    def log_in(self, base: str, login: str, password: str) -> Answer:
        return self.submit(base, "/login", "/login", login=login, password=password)


def start_worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "forum", "worker", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_worker(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def environment(**values: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_URL", "REDIS_", "FORUM_", "MAIL_"))}
    env.update(values)
    return env
