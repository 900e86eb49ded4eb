"""The module catalogue: what each Zoho module's records look like, read from templates/modules/.

`field` (Field, Lookup), `custom` (an organisation's custom-field metadata as Fields), `module`
(Module and how its records are written), `loader` (the module files), `fields` (a module's fields
as the organisation has them, for `bulkio fields`).
"""

from bulkio.catalogue.custom import custom_field, derive_api_name, is_custom_field_meta
from bulkio.catalogue.field import FIELD_TYPES, NUMBER_TYPES, Field, Lookup, header_key
from bulkio.catalogue.fields import field_rows, format_fields_table, load_fields
from bulkio.catalogue.loader import (
    Catalogue,
    catalogue_dir,
    every_module,
    load_module,
    module_names,
    resolve_name,
    templates_dir,
)
from bulkio.catalogue.module import (
    AUTO_NUMBER_PARAM,
    IMPORTABLE_KINDS,
    EntryShape,
    Module,
    write_params,
)

__all__ = [
    "AUTO_NUMBER_PARAM", "Catalogue", "EntryShape", "FIELD_TYPES", "Field", "IMPORTABLE_KINDS", "Lookup",
    "Module", "NUMBER_TYPES", "catalogue_dir", "custom_field", "every_module", "derive_api_name", "field_rows",
    "format_fields_table", "header_key", "is_custom_field_meta", "load_fields", "load_module",
    "module_names", "resolve_name", "templates_dir", "write_params",
]
