"""`python -m bulkio` runs the command line, as the `bulkio` console script does."""

from bulkio.cli.app import main

main()
