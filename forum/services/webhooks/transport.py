"""One POST to a hook: to the address ``addresses`` checked (never a fresh lookup), with the
URL's host in the Host header and as the certificate's name, no redirects followed, a short
timeout, and at most ``max_bytes`` of the answer read.

Failures come as the mail transport's ``DeliveryError`` (``ConnectionFailed`` when the host
was never reached), with a code of ``texts`` before the detail: ``timeout: …``."""
from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time

from ..mail.transport import ConnectionFailed, DeliveryError
from .addresses import Target

USER_AGENT = "Agora-Webhooks/1"


class _Pinned(http.client.HTTPConnection):
    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(_Pinned):
    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _connection(target: Target, timeout: float) -> _Pinned:
    """Connected to the first address that answers."""
    kind = _PinnedTLS if target.scheme == "https" else _Pinned
    problem: Exception | None = None
    for address in target.addresses:
        connection = kind(target, address, timeout)
        try:
            connection.connect()
        except ssl.SSLError as error:
            connection.close()
            raise ConnectionFailed(f"tls: {error}", permanent=False) from error
        except (TimeoutError, OSError) as error:
            connection.close()
            problem = error
            continue
        return connection
    if isinstance(problem, TimeoutError):
        raise ConnectionFailed("connect_timeout: no answer in time", permanent=False)
    raise ConnectionFailed(f"connect: {problem}", permanent=False)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float,
         max_bytes: int) -> int:
    """The answer's status code (any: the caller judges it). The whole exchange must end
    within ``timeout`` seconds: each step waits at most what is left, and a watchdog shuts
    the socket at the deadline, so an answer trickling in a byte at a time is cut off too."""
    deadline = time.monotonic() + timeout
    connection = _connection(target, timeout)
    sock = connection.sock  # the answer takes it over ("Connection: close")
    expired = threading.Event()

    def _expire() -> None:
        expired.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def _left() -> float:
        left = deadline - time.monotonic()
        if left <= 0 or expired.is_set():
            raise TimeoutError
        return left

    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        sock.settimeout(_left())
        connection.request("POST", target.path, body=body, headers={
            **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "Connection": "close"})
        sock.settimeout(_left())
        response = connection.getresponse()
        if expired.is_set():
            raise TimeoutError  # the head was cut off: its end may be missing
        _drain(sock, response, max_bytes, _left)
        return response.status
    except (TimeoutError, http.client.HTTPException, OSError) as error:
        if expired.is_set() or isinstance(error, TimeoutError):
            raise DeliveryError("timeout: no complete answer in time",
                                permanent=False) from error
        raise DeliveryError(f"connection: {type(error).__name__} {error}",
                            permanent=False) from error
    finally:
        watchdog.cancel()
        connection.close()


def _drain(sock: socket.socket, response: http.client.HTTPResponse, max_bytes: int,
           left) -> None:
    """Read (and drop) up to ``max_bytes`` of the answer while time is left. The status has
    arrived by now and is what counts: an answer too long or too slow is cut off, not
    failed."""
    read = 0
    try:
        while read < max_bytes:
            sock.settimeout(left())
            chunk = response.read(min(16 * 1024, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
    except (TimeoutError, http.client.HTTPException, OSError):
        pass
