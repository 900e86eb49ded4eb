"""`python -m bulkio` runs the command line, as the `bulkio` console script does."""

from bulkio.cli import main

main()
