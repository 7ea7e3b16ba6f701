"""Real SMTP servers on 127.0.0.1 for the fax tests: aiosmtpd (STARTTLS or TLS, login), a server
that accepts and never answers, and one that drops the connection in the middle of the message.
The TLS certificate is made here, signed by a throw-away authority the client is told to trust."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USER, PASSWORD = "pharmacy@example.com", "s3cret-Gateway-pw!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A test authority and a server certificate for localhost / 127.0.0.1 signed by it."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("k2desk test CA")).issuer_name(_name("k2desk test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       key_cert_sign=True, crl_sign=True, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return files


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every message it accepted, and every login tried."""

    messages: list[Envelope] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else str(auth_data.login)
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) \
            else str(auth_data.password)
        ok = login == USER and password == PASSWORD
        self.logins.append((login, ok))
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    port: int
    recorder: Recorder
    controller: Controller | None = None
    mode: str = "starttls"

    def start(self, tls_files: TlsFiles) -> None:
        kwargs: dict[str, Any] = {"authenticator": self.recorder.authenticate, "auth_required": True}
        if self.mode == "starttls":
            kwargs.update(tls_context=tls_files.server_context(), require_starttls=True)
        elif self.mode == "tls":
            # aiosmtpd only counts STARTTLS as TLS for its auth_require_tls check; this whole
            # connection is TLS from the first byte, so login is safe here.
            kwargs.update(ssl_context=tls_files.server_context(), auth_require_tls=False)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_factory(tls_files: TlsFiles) -> Iterator[Callable[..., SmtpServer]]:
    """Make a real aiosmtpd server on a free port: started now, or later with start=False."""
    made: list[SmtpServer] = []

    def make(mode: str = "starttls", *, start: bool = True, port: int | None = None) -> SmtpServer:
        server = SmtpServer(port or free_port(), Recorder(), mode=mode)
        made.append(server)
        if start:
            server.start(tls_files)
        return server

    yield make
    for s in made:
        s.stop()


class RawServer:
    """A TCP server on 127.0.0.1 whose behaviour is one function of the accepted socket."""

    def __init__(self, behaviour: Callable[[socket.socket, threading.Event], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.stop_event = threading.Event()
        self.behaviour = behaviour
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        held: list[socket.socket] = []
        while not self.stop_event.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            self.connections += 1
            held.append(conn)
            threading.Thread(target=self.behaviour, args=(conn, self.stop_event), daemon=True).start()
        for c in held:
            c.close()

    def close(self) -> None:
        self.stop_event.set()
        self.thread.join(5)
        self.sock.close()


def _stall(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(30)  # accept, then say nothing at all


def _drop_mid_message(conn: socket.socket, stop: threading.Event) -> None:
    """Speak just enough SMTP to take the start of the message, then hang up."""
    conn.settimeout(10)
    f = conn.makefile("rb")
    conn.sendall(b"220 dropper ESMTP\r\n")
    while True:
        line = f.readline()
        if not line:
            return
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250-dropper\r\n250 8BITMIME\r\n")
        elif verb in (b"MAIL", b"RCPT"):
            conn.sendall(b"250 OK\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            f.read(2000)  # part of the message, then the line goes dead
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            return
        else:
            conn.sendall(b"502 no\r\n")


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    """A greeting that never ends: one continuation line every 0.3 s, each read succeeds."""
    with contextlib.suppress(OSError):
        while not stop.wait(0.3):
            conn.sendall(b"220-still here\r\n")


@pytest.fixture
def trickling_server() -> Iterator[RawServer]:
    server = RawServer(_trickle)
    yield server
    server.close()


@pytest.fixture
def stalling_server() -> Iterator[RawServer]:
    server = RawServer(_stall)
    yield server
    server.close()


@pytest.fixture
def dropping_server() -> Iterator[RawServer]:
    server = RawServer(_drop_mid_message)
    yield server
    server.close()


def configure_gateway(ctx: Any, port: int, ca_file: Path | None, **overrides: str) -> None:
    """Complete fax.* settings pointing at a test server on 127.0.0.1."""
    from k2desk.services.settings import set_settings

    values = {"fax.smtp_host": "127.0.0.1", "fax.smtp_port": str(port), "fax.security": "starttls",
              "fax.username": USER, "fax.sender": "fax@pharmacy.example.com",
              "fax.recipient_pattern": "{digits}@fax.gateway.example", "fax.timeout_s": "5",
              "fax.ca_file": str(ca_file or ""), "pharmacy.name": "Hillside Compounding",
              "pharmacy.phone": "(817) 555-0100", "pharmacy.fax": "(817) 555-0101"}
    values.update(overrides)
    set_settings(ctx, values)
