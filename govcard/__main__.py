"""`python -m govcard`."""

from govcard.cli import main

main()
