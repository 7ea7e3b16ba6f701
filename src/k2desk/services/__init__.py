"""Use cases shared by the CLI and the window. Neither holds a business rule of its own."""
