"""`python -m mailbot` runs the command-line interface."""

from mailbot.cli import main

raise SystemExit(main())
