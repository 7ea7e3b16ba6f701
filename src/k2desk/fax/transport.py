"""Sending one fax as one e-mail to an email-to-fax gateway (smtplib).

The message goes from ``fax.sender`` to ``fax.recipient_pattern`` with ``{digits}`` replaced by
the E.164 number without "+"; its subject is the reference (an order or document id, never a
patient's name) and it carries exactly one attachment: one PDF, the cover sheet followed by the
stored document. There is deliberately no body text: several gateways fax a text body as an
extra page.

Every failure becomes one of the typed :class:`FaxSendError` subclasses with a plain message;
the password is never part of a message, a log line or an exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import ClassVar

from pypdf import PdfReader, PdfWriter

from k2desk.domain.settings import address_problem, is_loopback_host

SECURITY_MODES = ("starttls", "tls", "none")


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """The fax.* settings the transport needs (never the password)."""

    host: str
    port: int
    security: str
    username: str
    sender: str
    recipient_pattern: str
    timeout_s: float = 30
    ca_file: str = ""


@dataclass(frozen=True, slots=True)
class SentFax:
    recipient: str
    message_id: str
    pages: int
    attachment_sha256: str


class FaxSendError(Exception):
    """A fax was not handed to the gateway; ``code`` is stable for programs, the text is for people."""

    code: ClassVar[str] = "error"


class GatewayConfigError(FaxSendError):
    code = "config"


class GatewayUnreachable(FaxSendError):
    code = "unreachable"


class GatewayTimeout(FaxSendError):
    code = "timeout"


class GatewayTLSError(FaxSendError):
    code = "tls"


class GatewayAuthFailed(FaxSendError):
    code = "auth"


class GatewayDropped(FaxSendError):
    code = "dropped"


class GatewayRejected(FaxSendError):
    code = "rejected"


def recipient_address(pattern: str, e164: str) -> str:
    """The gateway address for a number: ``{digits}`` becomes the E.164 digits without '+'."""
    digits = e164.strip().removeprefix("+")
    if not digits.isdigit():
        raise GatewayConfigError(f"{e164!r} is not a fax number in E.164 form (+ and digits).")
    if "{digits}" not in pattern or "@" not in pattern:
        raise GatewayConfigError("The fax recipient pattern (setting fax.recipient_pattern) must "
                                 "contain {digits} and an @, for example {digits}@fax.example.com.")
    address = pattern.replace("{digits}", digits)
    # Checked again at send time: a pattern saved before this rule must not send to two places.
    problem = address_problem(address)
    if problem:
        raise GatewayConfigError(f"The fax recipient pattern (setting fax.recipient_pattern) gives "
                                 f"{address!r}: {problem}. Nothing was sent.")
    return address


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def merge_pdfs(*parts: bytes) -> bytes:
    """One PDF with the pages of each part in order (pypdf)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_message(cfg: GatewayConfig, *, to_e164: str, reference: str, pdf: bytes,
                  filename: str) -> EmailMessage:
    """The e-mail the gateway turns into a fax: headers and one PDF attachment, nothing else."""
    problem = address_problem(cfg.sender)
    if problem:
        raise GatewayConfigError(f"The fax sender (setting fax.sender) {cfg.sender!r} is not "
                                 f"accepted: {problem}. Nothing was sent.")
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = recipient_address(cfg.recipient_pattern, to_e164)
    msg["Subject"] = reference
    msg["Date"] = formatdate(localtime=True)
    domain = cfg.sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return msg


def make_ssl_context(ca_file: str = "") -> ssl.SSLContext:
    """Certificates and host names are always verified; ``ca_file`` only changes whom we trust."""
    try:
        ctx = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise GatewayConfigError(f"The certificate authority file {ca_file!r} (setting fax.ca_file) "
                                 f"cannot be read: {exc}.") from exc
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class _Watchdog:
    """Bounds the whole conversation by ``seconds``: a gateway that trickles bytes slowly enough
    to beat every per-read timeout is still cut off. It shuts the TCP connection down through a
    duplicate descriptor, so the SSL object of the sending thread is not touched from here."""

    def __init__(self, smtp: smtplib.SMTP, seconds: float) -> None:
        self._smtp = smtp
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self._smtp, "sock", None)
        if sock is None:
            return
        with contextlib.suppress(OSError, ValueError):
            dup = socket.socket(fileno=os.dup(sock.fileno()))
            try:
                dup.shutdown(socket.SHUT_RDWR)
            finally:
                dup.close()

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]


def _caused_by_timeout(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _classify(exc: BaseException, cfg: GatewayConfig, phase: str, timed_out: bool) -> FaxSendError:
    where = f"{cfg.host}:{cfg.port}"
    if timed_out or _caused_by_timeout(exc):
        return GatewayTimeout(f"The fax gateway {where} did not answer within {cfg.timeout_s:g} seconds "
                              f"(while {phase}). The fax was not sent.")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return GatewayAuthFailed(
            f"The fax gateway {where} refused the user name {cfg.username!r} or the password "
            f"({exc.smtp_code} {_reply_text(exc)}). Save the right password with "
            "'k2desk fax set-password', or check the setting fax.username.")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if phase == "starting TLS":
            return GatewayTLSError(f"The fax gateway {where} does not offer STARTTLS; set fax.security "
                                   "to 'tls' if it expects TLS from the start.")
        return GatewayAuthFailed(f"The fax gateway {where} does not accept a login here; clear "
                                 "fax.username if it needs none, or use a secure connection.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return GatewayTLSError(f"The fax gateway {where} presented a certificate that cannot be "
                               f"trusted ({exc.verify_message}). The fax was not sent; if the gateway "
                               "is a private relay, set fax.ca_file to its authority's certificate.")
    if isinstance(exc, ssl.SSLError) and phase in ("connecting", "starting TLS"):
        return GatewayTLSError(f"A secure connection to the fax gateway {where} could not be made "
                               f"({exc.reason or exc}). Check fax.security and fax.smtp_port.")
    if isinstance(exc, ConnectionRefusedError):
        return GatewayUnreachable(f"The fax gateway {where} refused the connection; it may be down, or "
                                  "fax.smtp_host / fax.smtp_port may be wrong. The job will be retried.")
    if isinstance(exc, socket.gaierror):
        return GatewayUnreachable(f"The fax gateway host {cfg.host!r} cannot be found (check "
                                  "fax.smtp_host and the network).")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(f"{c} {m.decode('utf-8', 'replace') if isinstance(m, bytes) else m}"
                          for c, m in exc.recipients.values())
        return GatewayRejected(f"The fax gateway {where} refused the recipient address ({codes[:200]}); "
                               "check fax.recipient_pattern and the fax number.")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return GatewayRejected(f"The fax gateway {where} refused the sender {cfg.sender!r} "
                               f"({exc.smtp_code} {_reply_text(exc)}); check fax.sender.")
    if isinstance(exc, smtplib.SMTPResponseException):
        return GatewayRejected(f"The fax gateway {where} refused the fax while {phase} "
                               f"({exc.smtp_code} {_reply_text(exc)}).")
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | ssl.SSLError):
        return GatewayDropped(f"The fax gateway {where} closed the connection while {phase}; the fax "
                              "was not accepted and will be retried.")
    if isinstance(exc, smtplib.SMTPException):
        return GatewayRejected(f"The fax gateway {where} failed while {phase} ({exc}).")
    if isinstance(exc, OSError):
        return GatewayUnreachable(f"The fax gateway {where} cannot be reached while {phase} "
                                  f"({exc.strerror or type(exc).__name__}).")
    return FaxSendError(f"The fax could not be sent while {phase} ({type(exc).__name__}).")


def send_message(cfg: GatewayConfig, msg: EmailMessage, password: str | None, *,
                 ssl_context: ssl.SSLContext | None = None) -> None:
    """Hand ``msg`` to the gateway within ``cfg.timeout_s`` seconds, or raise a FaxSendError."""
    if cfg.security not in SECURITY_MODES:
        raise GatewayConfigError(f"fax.security {cfg.security!r} is not one of {', '.join(SECURITY_MODES)}.")
    if cfg.security == "none" and not is_loopback_host(cfg.host):
        raise GatewayConfigError(f"fax.security 'none' is allowed only for a loopback host; use starttls "
                                 f"or tls for {cfg.host}.")
    if cfg.username and not password:
        raise GatewayConfigError("A password is needed for the fax gateway user "
                                 f"{cfg.username!r}; none was given.")
    context = ssl_context
    if context is None and cfg.security != "none":
        context = make_ssl_context(cfg.ca_file)
    smtp: smtplib.SMTP
    if cfg.security == "tls":
        smtp = smtplib.SMTP_SSL(timeout=cfg.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(timeout=cfg.timeout_s)
    phase = "connecting"
    watchdog = _Watchdog(smtp, cfg.timeout_s)
    try:
        with watchdog:
            # smtplib takes the TLS server_hostname from _host, which connect() does not set when
            # the object was made without a host (made so, the watchdog also covers the greeting).
            smtp._host = cfg.host
            smtp.connect(cfg.host, cfg.port)
            smtp.ehlo()
            if cfg.security == "starttls":
                phase = "starting TLS"
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.username:
                phase = "logging in"
                assert password is not None
                smtp.login(cfg.username, password)
            phase = "sending the fax"
            smtp.send_message(msg)
            # The gateway accepted the message (250 after DATA); a failed QUIT does not undo that.
            phase = "closing"
            with contextlib.suppress(Exception):
                smtp.quit()
    except FaxSendError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes one typed, plain message
        raise _classify(exc, cfg, phase, watchdog.fired) from None
    finally:
        smtp.close()


def send_fax(cfg: GatewayConfig, *, to_e164: str, reference: str, cover_pdf: bytes,
             document_pdf: bytes, password: str | None, filename: str,
             ssl_context: ssl.SSLContext | None = None) -> SentFax:
    """Merge cover + document into one PDF and send it; raise a FaxSendError on any failure."""
    pdf = merge_pdfs(cover_pdf, document_pdf)
    msg = build_message(cfg, to_e164=to_e164, reference=reference, pdf=pdf, filename=filename)
    send_message(cfg, msg, password, ssl_context=ssl_context)
    return SentFax(recipient=str(msg["To"]), message_id=str(msg["Message-ID"]),
                   pages=page_count(pdf), attachment_sha256=hashlib.sha256(pdf).hexdigest())
