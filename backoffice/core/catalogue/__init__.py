"""More UI strings, one module per area: each defines ENTRIES = {English: (Arabic, Persian)};
backoffice.core.i18n merges them into the one catalogue (a test checks every screen string is in it)."""
