"""Rebuild samples/: the demo's spreadsheets and the custom fields they need.

    python tools/make_samples.py [--out samples]

Deterministic (no randomness, no clock), so a rebuild changes nothing unless this file changed.
Files:
  custom_fields.toml        the custom fields the demo creates first (one table per module;
                            each entry is the seed of POST /settings/fields, also the keyword
                            arguments of Sandbox.add_custom_field)
  items.xlsx, items.csv     the same 25 items (External ID key, SKUs with leading zeros)
  contacts.csv              12 customers (External ID key)
  invoices.xlsx             10 invoices, 1-4 lines each, one row per line (Legacy Number key);
                            customers and items are those of contacts.csv and items.*
  items-with-errors.csv     items with deliberate mistakes, for the validation demo
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CUSTOM_FIELDS = {
    "items": [
        {"entity": "item", "label": "External ID", "data_type": "string", "is_unique": True},
        {"entity": "item", "label": "Category", "data_type": "dropdown",
         "values": ["Hardware", "Software", "Services"]},
    ],
    "contacts": [
        {"entity": "contact", "label": "External ID", "data_type": "string", "is_unique": True},
    ],
    "invoices": [
        {"entity": "invoice", "label": "Legacy Number", "data_type": "string", "is_unique": True},
    ],
}

ITEM_COLUMNS = ["External ID", "Item Name", "SKU", "Product Type", "Selling Price", "Cost", "Unit",
                "Description", "Category"]
# name, sku, product type, price, cost, unit, category, description
ITEMS = [
    ("Standing Desk Frame", "000101", "goods", 349.00, 212.50, "pcs", "Hardware", "Electric frame, two motors"),
    ("Oak Desk Top 160x80", "000102", "goods", 189.00, 96.40, "pcs", "Hardware", "Solid oak, oiled"),
    ("Monitor Arm Dual", "000117", "goods", 129.90, 61.00, "pcs", "Hardware", "Gas spring, VESA 75/100"),
    ("Ergonomic Chair Pro", "000230", "goods", 499.00, 287.75, "pcs", "Hardware", "Mesh back, 4D armrests"),
    ("Cable Tray", "000231", "goods", 24.50, 9.80, "pcs", "Hardware", "Steel, under-desk mount"),
    ("Desk Lamp LED", "000245", "goods", 59.00, 22.10, "pcs", "Hardware", "Dimmable, 2700-6500 K"),
    ("USB-C Dock 12-in-1", "000310", "goods", 219.00, 131.00, "pcs", "Hardware", "Dual 4K, 100 W PD"),
    ("Keyboard Wireless", "000311", "goods", 79.00, 35.60, "pcs", "Hardware", "Low profile, ISO layout"),
    ("Mouse Vertical", "000312", "goods", 49.00, 18.90, "pcs", "Hardware", ""),
    ("Webcam 4K", "000330", "goods", 149.00, 74.20, "pcs", "Hardware", "Auto framing"),
    ("Headset ANC", "000331", "goods", 189.00, 88.00, "pcs", "Hardware", "Noise cancelling, USB-A dongle"),
    ("Footrest Adjustable", "000402", "goods", 39.90, 14.30, "pcs", "Hardware", ""),
    ("Office Suite Licence", "001001", "digital_service", 12.50, 0, "month", "Software", "Per user per month"),
    ("Design Tool Licence", "001002", "digital_service", 54.99, 0, "month", "Software", "Per seat per month"),
    ("Password Manager", "001003", "digital_service", 4.00, 0, "month", "Software", "Per user per month"),
    ("Backup Storage 1 TB", "001010", "digital_service", 9.99, 3.10, "month", "Software", "Off-site, encrypted"),
    ("Antivirus Endpoint", "001011", "digital_service", 3.25, 1.05, "month", "Software", ""),
    ("VPN Gateway Licence", "001020", "digital_service", 240.00, 150.00, "year", "Software", "Up to 50 users"),
    ("Workplace Setup", "002001", "service", 95.00, 0, "hour", "Services", "On-site assembly and cabling"),
    ("IT Support Hour", "002002", "service", 85.00, 0, "hour", "Services", "Remote or on-site"),
    ("Ergonomic Assessment", "002003", "service", 150.00, 0, "session", "Services", "Per workstation"),
    ("Network Audit", "002010", "service", 1200.00, 0, "job", "Services", "Report within 10 days"),
    ("Data Migration", "002011", "service", 110.00, 0, "hour", "Services", ""),
    ("Training Workshop", "002020", "service", 690.00, 0, "day", "Services", "Up to 12 participants"),
    ("Delivery and Installation", "002030", "service", 75.00, 0, "job", "Services", "Within 50 km"),
]

CONTACT_COLUMNS = ["External ID", "Display Name", "Company Name", "Contact Type", "First Name", "Last Name",
                   "Email", "Phone", "Billing City", "Billing Country", "Payment Terms"]
CONTACTS = [
    ("Brightside Dental", "Brightside Dental Ltd", "Maya", "Okafor", "Leeds", "United Kingdom", 30),
    ("Northwind Architects", "Northwind Architects LLP", "Jonas", "Berg", "Manchester", "United Kingdom", 14),
    ("Café Lumière", "Café Lumière SARL", "Élodie", "Marchand", "Lyon", "France", 30),
    ("Kowalski & Partners", "Kowalski & Partners sp. z o.o.", "Piotr", "Kowalski", "Kraków", "Poland", 45),
    ("Greenleaf Accounting", "Greenleaf Accounting Inc.", "Sarah", "Nguyen", "Portland", "United States", 30),
    ("Harbour Logistics", "Harbour Logistics Pty Ltd", "Liam", "O'Connor", "Fremantle", "Australia", 30),
    ("Studio Nørd", "Studio Nørd ApS", "Freja", "Lund", "Aarhus", "Denmark", 14),
    ("Mendes Consulting", "Mendes Consulting Lda", "Rui", "Mendes", "Porto", "Portugal", 30),
    ("Bluebird Bakery", "", "Hannah", "Fischer", "Munich", "Germany", 7),
    ("Quantum Labs", "Quantum Labs GmbH", "Tobias", "Keller", "Zürich", "Switzerland", 60),
    ("Riverside Clinic", "Riverside Clinic Ltd", "Amira", "Haddad", "Bristol", "United Kingdom", 30),
    ("Summit Legal", "Summit Legal PC", "Daniel", "Reyes", "Denver", "United States", 15),
]

INVOICE_COLUMNS = ["Legacy Number", "Customer Name", "Invoice Date", "Due Date", "Reference Number",
                   "Item Name", "Quantity", "Item Price", "Notes"]
# legacy number, customer index, date, due, reference, [(item index, quantity)]
INVOICES = [
    ("L-2024-0001", 0, "2024-03-01", "2024-03-31", "PO-4471", [(0, 2), (1, 2), (4, 2)]),
    ("L-2024-0002", 1, "2024-03-04", "2024-03-18", "", [(18, 6)]),
    ("L-2024-0003", 2, "2024-03-05", "2024-04-04", "CL-88", [(12, 10), (14, 10)]),
    ("L-2024-0004", 3, "2024-03-11", "2024-04-25", "ZAM/2024/17", [(3, 4), (2, 4), (5, 4), (11, 4)]),
    ("L-2024-0005", 4, "2024-03-12", "2024-04-11", "", [(19, 12)]),
    ("L-2024-0006", 5, "2024-03-15", "2024-04-14", "HL-3321", [(6, 3), (7, 3), (8, 3)]),
    ("L-2024-0007", 6, "2024-03-20", "2024-04-03", "", [(13, 5)]),
    ("L-2024-0008", 7, "2024-03-22", "2024-04-21", "MC-09", [(21, 1), (22, 16)]),
    ("L-2024-0009", 9, "2024-03-28", "2024-05-27", "QL-PO-5510", [(17, 1), (15, 20), (16, 20)]),
    ("L-2024-0010", 10, "2024-04-02", "2024-05-02", "", [(20, 3), (23, 1), (24, 1), (9, 2)]),
]

ERROR_ROWS = [
    # a bad price, an unknown product type, a missing name, a duplicate key, a bad category
    ("EXT-9001", "Laptop Stand", "000901", "goods", "12,5O", 8.10, "pcs", "Typo in the price", "Hardware"),
    ("EXT-9002", "Screen Cleaner", "000902", "gadget", 6.50, 1.90, "pcs", "Unknown product type", "Hardware"),
    ("EXT-9003", "", "000903", "goods", 19.00, 7.00, "pcs", "Name missing", "Hardware"),
    ("EXT-9004", "Desk Organiser", "000904", "goods", 29.00, 11.00, "pcs", "", "Hardware"),
    ("EXT-9004", "Desk Organiser XL", "000905", "goods", 39.00, 15.00, "pcs", "Same key as the row above",
     "Hardware"),
    ("EXT-9006", "Cloud Seat", "000906", "digital_service", 8.00, 0, "month", "", "Cloudware"),
    ("EXT-9007", "Privacy Filter 24in", "000907", "goods", 45.00, 19.50, "pcs", "A valid row", "Hardware"),
]


def item_rows() -> list[list]:
    return [[f"EXT-{1001 + i}", name, sku, kind, price, cost or None, unit, text or None, category]
            for i, (name, sku, kind, price, cost, unit, category, text) in enumerate(ITEMS)]


def contact_rows() -> list[list]:
    rows = []
    for i, (name, company, first, last, city, country, terms) in enumerate(CONTACTS):
        email = f"{first.lower()}.{last.lower()}@example.com".replace("'", "")
        phone = f"+44 20 7946 {100 + i:04d}"
        rows.append([f"C-{501 + i}", name, company or None, "customer", first, last, _ascii(email), phone,
                     city, country, terms])
    return rows


def invoice_rows() -> list[list]:
    rows = []
    for number, customer, date, due, reference, lines in INVOICES:
        for item, quantity in lines:
            name, _, _, price, *_ = ITEMS[item]
            note = f"Thank you for your business, {CONTACTS[customer][2]}."
            rows.append([number, CONTACTS[customer][0], _date(date), _date(due), reference or None, name,
                         quantity, price, note])
    return rows


def _ascii(text: str) -> str:
    """Email addresses in plain ASCII (Élodie -> elodie, Nørd -> nord)."""
    return text.translate(str.maketrans("éèøöüłó", "eeooulo"))


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row])


def write_xlsx(path: Path, title: str, header: list[str], rows: list[list], text_columns=()) -> None:
    """A workbook as a person would keep it: typed cells, bold header, codes as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if header[cell.column - 1] in text_columns:
                cell.number_format = "@"
            elif hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, float):
                cell.number_format = "0.00"
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(12, len(name) + 4)
    sheet.freeze_panes = "A2"
    book.properties.creator = "bulkio samples"
    book.save(path)
    _fix_timestamps(path)


def _fix_timestamps(path: Path) -> None:
    """openpyxl stamps creation times into docProps/core.xml; pin them so rebuilds are identical."""
    import re
    import zipfile

    fixed = "1980-01-01T00:00:00Z"
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fixed.encode(), data)
            info.date_time = (1980, 1, 1, 0, 0, 0)
            archive.writestr(info, data)


def write_custom_fields(path: Path) -> None:
    lines = ["# Custom fields the demo and the tests create before importing the samples.",
             "# Each entry is the seed of POST /settings/fields (Sandbox.add_custom_field(**entry)).",
             "# Generated by tools/make_samples.py.", ""]
    for module, entries in CUSTOM_FIELDS.items():
        for entry in entries:
            lines.append(f"[[{module}]]")
            for key, value in entry.items():
                lines.append(f"{key} = {_toml(value)}")
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def mark(name: str) -> Path:
        written.append(out / name)
        return out / name

    write_custom_fields(mark("custom_fields.toml"))
    write_xlsx(mark("items.xlsx"), "Items", ITEM_COLUMNS, item_rows(), text_columns=("SKU", "External ID"))
    write_csv(mark("items.csv"), ITEM_COLUMNS, item_rows())
    write_csv(mark("contacts.csv"), CONTACT_COLUMNS, contact_rows())
    write_xlsx(mark("invoices.xlsx"), "Invoices", INVOICE_COLUMNS, invoice_rows(),
               text_columns=("Legacy Number",))
    write_csv(mark("items-with-errors.csv"), ITEM_COLUMNS, [list(r) for r in ERROR_ROWS])
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    args = parser.parse_args()
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
