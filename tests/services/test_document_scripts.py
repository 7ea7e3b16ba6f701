"""Done-when of issue 4, end to end through the services: a handout and an order for a patient
named in each script render, and the extracted text holds the name exactly as typed."""

from __future__ import annotations

from typing import Any

import pytest

from doc_helpers import add_plain_patient, pdf_text
from k2desk.services import documents as doc_svc
from k2desk.services import handouts, orders
from k2desk.services.context import AppContext

NAMES = {
    "latin-vietnamese": "Nguyễn Thị Minh Khai",
    "latin-accents": "Zoë Ångström-Øster",
    "greek": "Γιώργος Παπαδόπουλος",
    "cyrillic": "Дмитрий Шостакович",
    "hebrew": "שרה כהן",
    "arabic": "محمد عبد الله",
    "chinese": "王小明",
    "japanese": "山田 花子",
    "korean": "김민준",
    "markup": "Anne <b>Lee</b> & Co",
}


@pytest.mark.parametrize("script", list(NAMES))
def test_handout_and_order_carry_the_name(ctx: AppContext, pharmacy: None, script: str,
                                          order_data: dict[str, Any]) -> None:
    name = NAMES[script]
    pid = add_plain_patient(ctx, name=name)
    doc_id = handouts.create_handout(ctx, pid, topics=["what-is-k2"])
    text = pdf_text(doc_svc.get_pdf(ctx, doc_id))
    assert name in text, f"{script}: {name!r} not in handout text"
    _, order_doc = orders.create_order(ctx, pid, order_data)
    text = pdf_text(doc_svc.get_pdf(ctx, order_doc))
    assert name in text, f"{script}: {name!r} not in order text"
