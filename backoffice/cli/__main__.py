"""`python -m backoffice.cli …` runs the console script."""

from backoffice.cli import main

raise SystemExit(main())
