"""Pure domain: data classes, validation and rules. No I/O, no Qt, no SQL, no reportlab."""
