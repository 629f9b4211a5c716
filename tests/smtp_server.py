"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd in a thread of its own).

It collects what arrives, parsed with the standard library, and can be told to misbehave:
refuse the sender (``refuse_sender = "550 …"``), stall before answering the message
(``stall_seconds``), or hang up in the middle of a message (``hang_up``)."""
from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None and found.get_content_subtype() == subtype, subtype
        return found.get_content()


class Collector:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_sender: str | None = None
        self.stall_seconds = 0.0
        self.hang_up = False
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
            return "451 Too slow"
        if self.hang_up:
            server.transport.close()
            return "421 Gone"
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def behave(self) -> None:
        self.refuse_sender = None
        self.stall_seconds = 0.0
        self.hang_up = False


class SMTPServer:
    def __init__(self) -> None:
        self.collector = Collector()
        self.port = free_port()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Received]:
        return self.collector.received

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_SECURITY": "none",
                "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_TIMEOUT": 2,
                "MAIL_FROM": "forum@agora.test"}
