"""One module per schema migration (vNNNN_name.py with NAME and STATEMENTS); see backoffice.db.migrations."""
