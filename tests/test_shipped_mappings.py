"""The mapping files shipped in templates/mappings/ map the header rows of the exports they name
(each file cites where its headers come from): every column goes where the file says or is left
out on purpose, and a row of such an export validates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulkio.catalogue import load_module, templates_dir
from bulkio.cli import cli
from bulkio.prepare.columns import load_mapping, match_columns

# The export header rows, as the sources cited in each mapping file describe them.
SHOPIFY = ("Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,"
           "Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,"
           "Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,"
           "Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,"
           "Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,"
           "Google Shopping / Google Product Category,Google Shopping / Gender,Google Shopping / Age Group,"
           "Google Shopping / MPN,Google Shopping / AdWords Grouping,Google Shopping / AdWords Labels,"
           "Google Shopping / Condition,Google Shopping / Custom Product,Google Shopping / Custom Label 0,"
           "Google Shopping / Custom Label 1,Google Shopping / Custom Label 2,Google Shopping / Custom Label 3,"
           "Google Shopping / Custom Label 4,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item")
XERO = ("*ContactName,AccountNumber,EmailAddress,FirstName,LastName,POAttentionTo,POAddressLine1,POAddressLine2,"
        "POAddressLine3,POAddressLine4,POCity,PORegion,POPostalCode,POCountry,SAAttentionTo,SAAddressLine1,"
        "SAAddressLine2,SAAddressLine3,SAAddressLine4,SACity,SARegion,SAPostalCode,SACountry,PhoneNumber,"
        "FaxNumber,MobileNumber,DDINumber,SkypeName,BankAccountName,BankAccountNumber,BankAccountParticulars,"
        "TaxNumberName,TaxNumber,AccountsReceivableTaxCodeName,AccountsPayableTaxCodeName,Website,LegalName,"
        "Discount,CompanyNumber,DueDateBillDay,DueDateBillTerm,DueDateSalesDay,DueDateSalesTerm,SalesAccount,"
        "PurchasesAccount,TrackingName1,SalesTrackingOption1,PurchasesTrackingOption1,TrackingName2,"
        "SalesTrackingOption2,PurchasesTrackingOption2,BrandingTheme,DefaultTaxBillsName,DefaultTaxSalesName,"
        "Person1FirstName,Person1LastName,Person1Email,Person1IncludeInEmails")

CASES = {
    "shopify-products.toml": ("items", SHOPIFY, {
        "Title": "Oak Desk", "Variant SKU": "OAK-160", "Body (HTML)": "<p>Solid oak</p>",
        "Variant Price": "189.00", "Cost per item": "96.40", "Variant Taxable": "true", "Handle": "oak-desk"},
        {"Title": ("name",), "Variant SKU": ("sku",), "Body (HTML)": ("description",), "Variant Price": ("rate",),
         "Cost per item": ("purchase_rate",), "Variant Taxable": ("is_taxable",)}),
    "xero-contacts.toml": ("contacts", XERO, {
        "*ContactName": "Ashby Components", "AccountNumber": "ASH01", "EmailAddress": "ap@ashby.example",
        "FirstName": "Jo", "LastName": "Ashby", "POAddressLine1": "12 Mill Lane", "POCity": "Leeds",
        "PhoneNumber": "0113 496 0000", "TaxNumber": "55-1000000"},
        {"*ContactName": ("contact_name",), "AccountNumber": ("contact_number",),
         "EmailAddress": ("contact_persons.email",), "POAddressLine1": ("billing_address.address",),
         "SACountry": ("shipping_address.country",), "PhoneNumber": ("contact_persons.phone",)}),
}


def mapping_path(name: str) -> Path:
    return Path(str(templates_dir("mappings") / name))


def test_every_shipped_mapping_is_tested():
    assert sorted(p.name for p in Path(str(templates_dir("mappings"))).glob("*.toml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_export_header_row_is_mapped_with_nothing_left_unexplained(name):
    module_name, header, _, expected = CASES[name]
    plan = match_columns(header.split(","), load_module(module_name), load_mapping(mapping_path(name)))
    assert plan.warnings == [] and plan.unknown == []
    assert {column: plan.fields[column] for column in expected} == expected
    assert set(plan.fields) | set(plan.ignored) == set(header.split(","))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_row_of_the_export_validates(name, tmp_path, monkeypatch):
    module_name, header, row, _ = CASES[name]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    data = tmp_path / "export.csv"
    with data.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header.split(","))
        writer.writeheader()
        writer.writerow(row)
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(cli, ["validate", str(data), "-m", module_name, "--mapping",
                                      str(mapping_path(name)), "--report", str(report)],
                                env={"ZOHO_ORGANIZATION_ID": "", "ZOHO_API_URL": ""})
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in csv.DictReader(report.open(encoding="utf-8-sig"))] == ["valid"]
