"""PDF minutes: layout rules, reading PDFs printed from the real corpus, bad PDFs."""
