"""More `backoffice` sub-commands, one module per area: each defines `register(sub, common)` and is found
by backoffice.cli at start. Handlers import what they need inside themselves, so the CLI starts fast."""
