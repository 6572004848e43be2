"""What the book needs beyond the analysis engine: tables, figures, formatting and build helpers."""
