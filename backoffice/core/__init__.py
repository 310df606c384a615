"""The base every layer stands on: the request context, errors, money, text and digits, validation, reading
tabular files, and translation. Imports nothing else of backoffice."""
