"""PDF minutes: reading the printed lines (extract) and undoing the print layout (layout)."""
