"""Fixtures for the handout, order and document service tests (helpers in tests/doc_helpers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from doc_helpers import add_plain_patient, add_warfarin_patient, example_order, setup_pharmacy
from k2desk.services.context import AppContext


@pytest.fixture
def pharmacy(ctx: AppContext) -> None:
    setup_pharmacy(ctx)


@pytest.fixture
def plain_patient(ctx: AppContext, pharmacy: None) -> int:
    return add_plain_patient(ctx)


@pytest.fixture
def warfarin_patient(ctx: AppContext, pharmacy: None) -> int:
    return add_warfarin_patient(ctx)


@pytest.fixture
def order_data() -> dict[str, Any]:
    return example_order()
