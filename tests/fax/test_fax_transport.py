"""The SMTP transport against real servers on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import io
import time

import pytest
from fax_servers import PASSWORD, USER, free_port
from pypdf import PdfReader

from k2desk.fax import transport as t
from stored_documents import make_pdf


def cfg(port: int, ca_file: str = "", **kw: object) -> t.GatewayConfig:
    base: dict[str, object] = dict(host="127.0.0.1", port=port, security="starttls", username=USER,
                                   sender="fax@pharmacy.example.com",
                                   recipient_pattern="{digits}@fax.gateway.example", timeout_s=5,
                                   ca_file=ca_file)
    base.update(kw)
    return t.GatewayConfig(**base)  # type: ignore[arg-type]


COVER = make_pdf(["FAX COVER", ])
DOC = make_pdf(["Document page one", "Document page two"])


def send(c: t.GatewayConfig, password: str | None = PASSWORD) -> t.SentFax:
    return t.send_fax(c, to_e164="+18178606083", reference="Order 7, document 12", cover_pdf=COVER,
                      document_pdf=DOC, password=password, filename="k2desk-document-12.pdf")


def parse(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_sends_one_pdf_to_the_gateway_address(smtp_factory, tls_files, mode):
    server = smtp_factory(mode)
    sent = send(cfg(server.port, str(tls_files.ca_file), security=mode))
    assert len(server.recorder.messages) == 1
    env = server.recorder.messages[0]
    assert env.rcpt_tos == ["18178606083@fax.gateway.example"]
    assert env.mail_from == "fax@pharmacy.example.com"
    assert server.recorder.logins == [(USER, True)]
    msg = parse(env)
    assert msg["Subject"] == "Order 7, document 12"
    parts = [p for p in msg.walk() if not p.is_multipart()]
    assert len(parts) == 1, "exactly one part: the PDF, no body text a gateway might fax"
    (part,) = parts
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "k2desk-document-12.pdf"
    pdf = part.get_content()
    assert pdf == t.merge_pdfs(COVER, DOC)
    reader = PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text().strip() for p in reader.pages]
    assert texts == ["FAX COVER", "Document page one", "Document page two"]
    assert sent.pages == 3 and sent.recipient == "18178606083@fax.gateway.example"


def test_wrong_password_is_an_auth_failure(smtp_factory, tls_files):
    server = smtp_factory()
    with pytest.raises(t.GatewayAuthFailed) as info:
        send(cfg(server.port, str(tls_files.ca_file)), password="wrong-password")
    assert "535" in str(info.value) and "set-password" in str(info.value)
    assert "wrong-password" not in str(info.value)
    assert server.recorder.messages == []


def test_an_untrusted_certificate_is_refused(smtp_factory):
    server = smtp_factory()
    with pytest.raises(t.GatewayTLSError) as info:
        send(cfg(server.port))  # the system authorities do not know the test CA
    assert "cannot be trusted" in str(info.value)
    assert server.recorder.messages == [] and server.recorder.logins == []


def test_connection_refused():
    with pytest.raises(t.GatewayUnreachable) as info:
        send(cfg(free_port()))
    assert "refused the connection" in str(info.value)


def test_a_stalled_server_times_out_within_the_setting(stalling_server):
    start = time.monotonic()
    with pytest.raises(t.GatewayTimeout) as info:
        send(cfg(stalling_server.port, timeout_s=1))
    assert time.monotonic() - start < 3
    assert "did not answer within 1 seconds" in str(info.value)


def test_a_server_that_trickles_is_cut_off_at_the_whole_timeout(trickling_server):
    start = time.monotonic()
    with pytest.raises(t.GatewayTimeout):
        send(cfg(trickling_server.port, timeout_s=1))
    assert time.monotonic() - start < 2.5, "every read succeeded; only the overall bound stops it"


def test_a_dropped_connection_mid_message(dropping_server):
    with pytest.raises(t.GatewayDropped) as info:
        send(cfg(dropping_server.port, security="none", username=""), password=None)
    assert "closed the connection" in str(info.value)
    assert dropping_server.connections == 1


def test_plain_smtp_only_to_loopback():
    with pytest.raises(t.GatewayConfigError):
        send(cfg(25, host="smtp.example.com", security="none"))


def test_starttls_required_but_not_offered(dropping_server):
    with pytest.raises(t.GatewayTLSError) as info:
        send(cfg(dropping_server.port, security="starttls"))
    assert "STARTTLS" in str(info.value)


def test_recipient_address():
    assert t.recipient_address("fax-{digits}@g.example", "+442071234567") == "fax-442071234567@g.example"
    with pytest.raises(t.GatewayConfigError):
        t.recipient_address("{digits}@g.example", "+1 817")


def test_tls_mode_against_a_starttls_port_names_the_settings(smtp_factory, tls_files):
    server = smtp_factory("starttls")
    with pytest.raises(t.GatewayTLSError) as info:
        send(cfg(server.port, str(tls_files.ca_file), security="tls"))
    assert "fax.security" in str(info.value) and "fax.smtp_port" in str(info.value)
    assert server.recorder.messages == []
