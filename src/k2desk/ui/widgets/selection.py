"""What a table's buttons act on is the row the eye sees selected, never Qt's current index alone.

Qt puts the current index on the first row when Tab enters a table that has none (without
selecting it), and Ctrl+Space or Ctrl+click takes the selection off a row while it stays current.
Pages that followed ``currentRowChanged`` therefore opened (and Ctrl+P reprinted) a row nobody
had chosen, or kept acting on a row no longer shown selected.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractItemView


def selected_row(view: QAbstractItemView) -> int:
    """The selected row of a single-selection view, or -1 when no row is selected."""
    sm = view.selectionModel()
    rows = sorted({i.row() for i in sm.selectedIndexes()}) if sm is not None else []
    return rows[0] if rows else -1


def on_row_selected(view: QAbstractItemView, chosen: Callable[[int], None]) -> None:
    """Call ``chosen(row)`` when the selected row changes; ``chosen(-1)`` when none is selected."""
    view.selectionModel().selectionChanged.connect(lambda _s, _d: chosen(selected_row(view)))
