"""Fixtures for the fax tests: real SMTP servers on 127.0.0.1 (see fax_servers.py)."""

from fax_servers import (  # noqa: F401
    dropping_server,
    smtp_factory,
    stalling_server,
    tls_files,
    trickling_server,
)
