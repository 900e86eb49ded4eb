"""Organization settings the records refer to: taxes and the chart of accounts, seeded once per
organization so lookups by id have something to find."""

from __future__ import annotations

from .store import Store

TAXES = "taxes"
ACCOUNTS = "chartofaccounts"

SEED_TAXES = (
    {"tax_name": "Sales Tax", "tax_percentage": 10.0, "is_default_tax": True},
    {"tax_name": "VAT", "tax_percentage": 20.0, "is_default_tax": False},
    {"tax_name": "Reduced Rate", "tax_percentage": 5.0, "is_default_tax": False},
)
SEED_ACCOUNTS = (
    ("Sales", "income", "4000"),
    ("General Income", "income", "4100"),
    ("Cost of Goods Sold", "cost_of_goods_sold", "5000"),
    ("Office Supplies", "expense", "6100"),
    ("Inventory Asset", "stock", "1400"),
    ("Accounts Receivable", "accounts_receivable", "1200"),
    ("Accounts Payable", "accounts_payable", "2000"),
)


def seed(store: Store, org: str) -> None:
    """Create the taxes and accounts of an organization the first time it is served."""
    with store.lock:
        if not store.all(org, TAXES):
            for tax in SEED_TAXES:
                tax_id = store.new_id()
                store.put(org, TAXES, tax_id, {
                    "tax_id": tax_id, **tax, "tax_type": "tax", "tax_specific_type": "",
                    "tax_authority_name": "", "is_editable": True, "status": "active",
                })
        if not store.all(org, ACCOUNTS):
            for name, account_type, code in SEED_ACCOUNTS:
                account_id = store.new_id()
                store.put(org, ACCOUNTS, account_id, {
                    "account_id": account_id, "account_name": name, "account_code": code,
                    "account_type": account_type, "is_active": True, "is_user_created": False,
                    "is_system_account": True, "description": "", "currency_id": "", "currency_code": "USD",
                })


def tax(store: Store, org: str, tax_id) -> dict | None:
    """A tax by id, or None."""
    return store.get(org, TAXES, str(tax_id)) if tax_id not in (None, "") else None
