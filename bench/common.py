"""Shared pieces of the benchmarks: the machine, medians, data files, sandboxes and clients.

Nothing here is timed; each benchmark module times its own work.
"""

from __future__ import annotations

import csv
import os
import platform
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"          # generated input files, reused across runs
RESULTS = BENCH / "results"

if str(ROOT) not in sys.path:     # `python bench/run.py` from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

KEY_LABEL = "External ID"
CATEGORIES = ("Hardware", "Software", "Services")
# Custom fields of the benchmark organisation, as POST /settings/fields seeds.
CUSTOM_FIELDS = (
    {"label": KEY_LABEL, "data_type": "string", "is_unique": True},
    {"label": "Category", "data_type": "dropdown", "values": list(CATEGORIES)},
    {"label": "Launch Date", "data_type": "date"},
    {"label": "Weight", "data_type": "decimal"},
    {"label": "Supplier Email", "data_type": "email"},
    {"label": "Warranty Months", "data_type": "number"},
    {"label": "Website", "data_type": "url"},
)
# The columns the sandbox round-trips exactly (the write benchmarks) ...
BASIC_COLUMNS = ("External ID", "Item Name", "SKU", "Product Type", "Selling Price", "Purchase Price",
                 "Unit", "Sales Description", "Category")
# ... and the 20 columns of the local pipeline benchmark: every field type bulkio checks.
WIDE_COLUMNS = BASIC_COLUMNS + ("Item Type", "Purchase Description", "Tax Percentage", "Taxable",
                                "Reorder Level", "HSN/SAC", "Launch Date", "Weight", "Supplier Email",
                                "Warranty Months", "Website")


def machine() -> dict:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    import pandas

    return {
        "nproc": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version(),
        "pandas": pandas.__version__, "platform": platform.platform(), "loadavg_at_start": [round(x, 2) for x in load],
    }


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def item_row(i: int, columns=BASIC_COLUMNS, version: int = 0) -> dict:
    """Row i of the benchmark items; `version` > 0 changes the selling price (a changed row)."""
    rng = random.Random(i)
    every = {
        "External ID": f"EXT-{i:07d}",
        "Item Name": f"Bench item {i:07d}",
        "SKU": f"{i:08d}",
        "Product Type": rng.choice(("goods", "service")),
        "Selling Price": f"{rng.randint(100, 99999) / 100 + version:.2f}",
        "Purchase Price": f"{rng.randint(100, 9999) / 100:.2f}",
        "Unit": rng.choice(("pcs", "box", "kg")),
        "Sales Description": f"Benchmark item number {i}, {rng.choice(('oak', 'steel', 'glass'))}",
        "Category": CATEGORIES[i % 3],
        "Item Type": rng.choice(("sales", "purchases", "sales_and_purchases")),
        "Purchase Description": f"Bought in lots of {rng.randint(1, 50)}",
        "Tax Percentage": f"{rng.choice((0, 5, 12.5, 20))}",
        "Taxable": rng.choice(("yes", "no", "TRUE", "false")),
        "Reorder Level": str(rng.randint(0, 500)),
        "HSN/SAC": f"{rng.randint(1000, 9999)}",
        "Launch Date": f"20{rng.randint(10, 29)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "Weight": f"{rng.randint(1, 50000) / 1000}",
        "Supplier Email": f"supplier{i % 997}@example.com",
        "Warranty Months": str(rng.choice((6, 12, 24, 36))),
        "Website": f"https://example.com/items/{i}",
    }
    return {c: every[c] for c in columns}


def write_items_csv(path: Path, n: int, columns=BASIC_COLUMNS, changed: set[int] = frozenset()) -> Path:
    """A CSV of n benchmark items; rows whose index is in `changed` carry a new price."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(n):
            row = item_row(i, columns, version=1 if i in changed else 0)
            writer.writerow([row[c] for c in columns])
    return path


def cached_csv(n: int, columns=WIDE_COLUMNS, tag: str = "wide") -> Path:
    path = CACHE / f"items-{tag}-{n}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        write_items_csv(tmp, n, columns)
        tmp.replace(path)
    return path


def cached_xlsx(n: int, columns=WIDE_COLUMNS, tag: str = "wide") -> Path:
    """The same rows as cached_csv, as an XLSX workbook written with openpyxl (write-only)."""
    path = CACHE / f"items-{tag}-{n}.xlsx"
    if not path.exists():
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Items")
        sheet.append(list(columns))
        for i in range(n):
            row = item_row(i, columns)
            sheet.append([row[c] for c in columns])
        tmp = path.with_name(path.stem + ".tmp.xlsx")
        book.save(tmp)
        tmp.replace(path)
    return path


def bench_module(module_name: str = "items"):
    """The catalogue module merged with the benchmark's custom fields, without any network."""
    from bulkio.catalogue import load_module

    metadata = [{"field_id": str(460000000001000 + n), "customfield_id": str(460000000001000 + n),
                 "api_name": "cf_" + seed["label"].lower().replace(" ", "_"), "index": n + 1,
                 "is_active": True, "is_mandatory": False, "entity": "item", **seed}
                for n, seed in enumerate(CUSTOM_FIELDS)]
    return load_module(module_name).with_custom_fields(metadata)


# --- sandboxes and clients -----------------------------------------------------------------------


def start_sandbox(**config):
    """A started sandbox with the benchmark's custom fields; generous limits unless given."""
    from bulkio.sandbox import Sandbox, SandboxConfig

    fields = {"rate_limit": 10**7, "max_concurrent": 100, "daily_limit": 10**9, **config}
    sandbox = Sandbox(SandboxConfig(**fields)).start()
    for seed in CUSTOM_FIELDS:
        sandbox.add_custom_field("item", **seed)
    return sandbox


STATE_DIRS: dict[str, Path] = {}


def sandbox_env(sandbox) -> dict:
    """Environment variables that point the bulkio CLI at `sandbox`."""
    env = dict(os.environ)
    env.update({
        "ZOHO_API_URL": sandbox.api_url("books"), "ZOHO_ACCOUNTS_URL": sandbox.accounts_url,
        "ZOHO_ORGANIZATION_ID": sandbox.org_id, "ZOHO_CLIENT_ID": sandbox.client_id,
        "ZOHO_CLIENT_SECRET": sandbox.client_secret, "ZOHO_REFRESH_TOKEN": sandbox.refresh_token,
    })
    env.pop("ZOHO_ACCESS_TOKEN", None)
    env.pop("BULKIO_CONFIG", None)
    # what bulkio remembers of the records it wrote lives with this sandbox, not the user's
    env["BULKIO_STATE_DIR"] = str(STATE_DIRS.setdefault(sandbox.base_url, Path(tempfile.mkdtemp())))
    return env


def client_for(sandbox, *, rate: float, concurrency: int, daily_limit: int = 10**9):
    """A ZohoClient for `sandbox` paced at `rate` calls per minute."""
    from bulkio.settings import ConnectionSettings
    from bulkio.zoho.client import ZohoClient

    settings = ConnectionSettings(
        organization_id=sandbox.org_id, api_url=sandbox.api_url("books"), accounts_url=sandbox.accounts_url,
        client_id=sandbox.client_id, client_secret=sandbox.client_secret, refresh_token=sandbox.refresh_token,
        rate_per_minute=rate, max_in_flight=concurrency, daily_limit=daily_limit,
    )
    return ZohoClient(settings)
