"""Migration 5: documents — the PDF of an issued invoice or credit note, kept once rendered (SPEC I4)."""

NAME = "documents"
STATEMENTS = [
    """CREATE TABLE document_pdfs (
                org_id BIGINT NOT NULL,
                number_text VARCHAR NOT NULL,
                variant VARCHAR NOT NULL,
                pdf {blob} NOT NULL,
                created_at TIMESTAMP NOT NULL,
                PRIMARY KEY (org_id, number_text, variant)
            )""",
]
