"""`python -m jit` runs the CLI."""

from jit.cli import main

raise SystemExit(main())
