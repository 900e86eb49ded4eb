"""bulkio: move business records between spreadsheets and Zoho Books / Zoho Inventory."""

__version__ = "0.1.0"
