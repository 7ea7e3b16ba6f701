"""Table models over service results, testable without a view."""
