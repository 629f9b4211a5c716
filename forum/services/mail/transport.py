"""Getting a queued message out: to an SMTP server, or, with no ``MAIL_SERVER`` set, into an
.eml file under ``MAIL_FOLDER`` (development: ``make run`` needs no mail server).

Every failure is sorted into temporary (try again later: 4xx replies, connections refused,
timeouts, a server hanging up mid-message) or permanent (a 5xx reply to this message).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

log = logging.getLogger("forum.mail")

ERROR_MAX = 500


class DeliveryError(Exception):
    def __init__(self, text: str, *, permanent: bool) -> None:
        super().__init__(text)
        self.text = text[:ERROR_MAX]
        self.permanent = permanent


class ConnectionFailed(DeliveryError):
    """No conversation with the server at all: nothing was tried for any message."""


def _code_error(code: int, detail: bytes | str, what: str) -> DeliveryError:
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return DeliveryError(f"{what}: {code} {text}", permanent=500 <= code < 600)


def classify(error: Exception) -> DeliveryError:
    """What an exception from ``smtplib`` (or the socket under it) means for the message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, detail = min(error.recipients.values(), default=(450, b""))
        return _code_error(code, detail, "recipient refused")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _code_error(error.smtp_code, error.smtp_error, "sender refused")
    if isinstance(error, smtplib.SMTPDataError):
        return _code_error(error.smtp_code, error.smtp_error, "message refused")
    if isinstance(error, smtplib.SMTPResponseException):
        return _code_error(error.smtp_code, error.smtp_error, "server answered")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"connection closed: {error}", permanent=False)
    if isinstance(error, TimeoutError):
        return DeliveryError("the server did not answer in time", permanent=False)
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False)


class Transport(Protocol):
    def send(self, message_id: int, sender: str, to: str, raw: str) -> None: ...

    def close(self) -> None: ...


class SMTPTransport:
    """One connection, opened on the first message and reused; reopened after a hang-up."""

    def __init__(self, config) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.security = config["MAIL_SECURITY"]
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = config.get("MAIL_TIMEOUT", 30)
        self.connection: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        try:
            if self.security == "tls":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
                if self.username:
                    connection.login(self.username, self.password or "")
            except BaseException:
                connection.close()
                raise
        except (smtplib.SMTPException, OSError) as error:
            # Whatever the server said while we were only getting acquainted (a 5xx greeting,
            # a refused login) concerns no message: each is tried again later.
            raise ConnectionFailed(classify(error).text, permanent=False) from error
        return connection

    def send(self, message_id: int, sender: str, to: str, raw: str) -> None:
        if self.connection is None:
            self.connection = self._open()
        utf8 = not (raw.isascii() and to.isascii() and sender.isascii())
        try:
            self.connection.sendmail(sender, [to], raw.encode("utf-8") if utf8 else raw,
                                     mail_options=["SMTPUTF8"] if utf8 else [])
        except (smtplib.SMTPException, OSError) as error:
            problem = classify(error)
            if not isinstance(error, (smtplib.SMTPRecipientsRefused,
                                      smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
                self.close()  # the conversation is in an unknown state: start a new one
            raise problem from error

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


class FileTransport:
    """Writes ``<id>.eml`` files and says where, for a forum without a mail server."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, message_id: int, sender: str, to: str, raw: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{message_id:08d}.eml"
            path.write_text(raw, encoding="utf-8")
        except OSError as error:
            raise DeliveryError(f"could not write the file: {error}", permanent=False) from error
        log.warning("Mail to %s written to %s (no MAIL_SERVER is set)", to, path)

    def close(self) -> None:
        pass


def for_config(config) -> Transport:
    if config.get("MAIL_SERVER"):
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FOLDER"])
