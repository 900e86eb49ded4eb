"""Zoho's error answers, in one table so a wording learned later is changed in one place.

Codes 0, 1000, 1002, 44, 45, 1070 are documented, 57 and 1038 widely observed; the others are the
codes third parties report for the same situations (Zoho documents no catalogue)."""

from __future__ import annotations


class ZohoError(Exception):
    """An error answer: HTTP status, Zoho body `code` and `message`."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"code": self.code, "message": self.message}


def not_authorized() -> ZohoError:  # rule: AUTH-401-57
    return ZohoError(401, 57, "You are not authorized to perform this operation")


def org_missing() -> ZohoError:
    return ZohoError(400, 6041, "Invalid value passed for organization_id")


def org_unknown(org_id: str) -> ZohoError:
    return ZohoError(400, 6041, f"This user is not associated with the CompanyID/CompanyName:{org_id}.")


def bad_url() -> ZohoError:
    return ZohoError(404, 5, "Invalid URL Passed")


def bad_method(method: str) -> ZohoError:  # rule: BAD-METHOD-405
    return ZohoError(405, 37, f"The HTTP method {method} is not allowed for the requested resource")


def bad_json() -> ZohoError:
    # Undocumented; the message is the one integrations report seeing, the code as observed.
    return ZohoError(400, 1038, "JSON is not well formed")


def invalid_value(field: str) -> ZohoError:
    return ZohoError(400, 2, f"Invalid value passed for {field}")


def too_long(field: str, limit: int) -> ZohoError:
    return ZohoError(400, 2, f"Invalid value passed for {field}. It cannot exceed {limit} characters.")


def required(field: str) -> ZohoError:
    return ZohoError(400, 4, f"{field} cannot be empty.")


def not_found(title: str) -> ZohoError:
    """`title` is the record kind as Zoho writes it: "Item", "Contact", "Invoice"."""
    # rule: NOT-FOUND-1002
    return ZohoError(404, 1002, f"{title} does not exist.")


def duplicate_name(title: str, name: str) -> ZohoError:
    if title == "Contact":
        return ZohoError(400, 3062, f'The contact "{name}" already exists. Please specify a different name.')
    return ZohoError(400, 1001, f'{title} "{name}" already exists.')


def duplicate_number(title: str, number: str) -> ZohoError:
    return ZohoError(400, 1001, f'{title} "{number}" already exists.')


def duplicate_custom_value(label: str, value: object) -> ZohoError:
    return ZohoError(
        400, 1001, f'The value "{value}" entered for the custom field "{label}" already exists. Enter a unique value.'
    )


def bad_unique_key(key: str) -> ZohoError:
    return ZohoError(
        400,
        2,
        f"Invalid value passed for X-Unique-Identifier-Key: {key} "
        "is not a custom field that prevents duplicate values",
    )


def lookup_missing(field: str) -> ZohoError:
    return ZohoError(400, 2, f"Invalid value passed for {field}")


def custom_field_exists(label: str) -> ZohoError:
    return ZohoError(400, 1001, f'A custom field with the label "{label}" already exists.')


def internal() -> ZohoError:
    return ZohoError(500, 1000, "Internal error")


def too_many_per_minute() -> ZohoError:
    return ZohoError(
        429, 44, "You have made too many requests per minute. Please try again after some time."
    )


def too_many_per_day() -> ZohoError:
    return ZohoError(
        429, 45, "You have reached the maximum number of API requests allowed per day. Please try again tomorrow."
    )


def too_many_in_flight() -> ZohoError:
    return ZohoError(
        429, 1070, "You have exceeded the maximum number of concurrent API requests. Please try again after some time."
    )
