"""Reading back the document reference printed in the footer and encoded in the QR code."""

from __future__ import annotations

import pytest

from k2desk.documents.page import document_ref
from k2desk.domain.document_ref import parse_document_ref


@pytest.mark.parametrize("text", ["D-123", "d-123", "D123", "D 123", " D-123\r", "D\u2013123", "D-0123"])
def test_references_as_printed_typed_or_scanned(text):
    assert parse_document_ref(text) == 123


def test_the_qr_payload_reads_back_to_its_document():
    for n in (1, 9, 123, 40_000_017):
        assert parse_document_ref(document_ref(n)) == n


def test_a_bare_number_only_where_the_box_allows_it():
    assert parse_document_ref("123") is None
    assert parse_document_ref("123", bare_number=True) == 123


@pytest.mark.parametrize("text", ["", "D-", "Dora", "D-12a", "DD-12", "555-1234", "D-0", "Order 5", "d-1 2"])
def test_anything_else_is_not_a_reference(text):
    assert parse_document_ref(text) is None
    assert parse_document_ref(text, bare_number=True) is None
