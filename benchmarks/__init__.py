"""`make bench`: each figure as a ratio against the raw tool in the same run (DuckDB, fpdf2, smtplib)."""
