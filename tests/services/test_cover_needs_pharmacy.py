import pytest

from k2desk.services import documents
from k2desk.services.errors import InputRefused
from k2desk.services.settings import set_settings
from stored_documents import add_test_patient, store_document


def test_a_cover_sheet_needs_the_pharmacy_name_and_a_phone_to_call(ctx):
    doc_id = store_document(ctx, patient_id=add_test_patient(ctx))
    before = len(documents.list_documents(ctx))
    with pytest.raises(InputRefused) as exc:
        documents.cover_sheet(ctx, doc_id, "(817) 860-6083")
    assert {i.field for i in exc.value.issues} == {"pharmacy.name", "pharmacy.phone"}
    assert len(documents.list_documents(ctx)) == before
    set_settings(ctx, {"pharmacy.name": "Riverside Compounding", "pharmacy.phone": "(217) 555-0142"})
    pdf = documents.cover_sheet(ctx, doc_id, "(817) 860-6083")
    assert pdf.startswith(b"%PDF") and len(documents.list_documents(ctx)) == before + 1
