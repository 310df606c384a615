"""The books: the ledger (the one way into the journal), the posting rules, opening balances."""
