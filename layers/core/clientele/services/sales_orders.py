"""Sales order use cases (SPEC §4.7): create (numbered, with the customer's snapshot, discount and
broker defaults), read, change (status moves, lines only in draft) and a customer's list.

Commercial fields (SPEC §13): an order copies the customer's ``currency`` and payment terms (their
name and ``netDays``) when it is created. Confirming it moves the customer's ``openOrderValue`` in the
order's own transaction, refused (409 ``credit_limit_exceeded``) when that would pass the customer's
``creditLimit`` — unless an admin sends ``overrideCreditLimit: true``, recorded on the order
(``creditLimitOverride``: who and when). Cancelling a confirmed order gives its total back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from clientele import clock, cursors
from clientele.domain import sales_orders as rules
from clientele.domain.commercial import customer_currency
from clientele.domain.money import money_text, percent_out
from clientele.domain.sales_orders import SalesOrderCreate, SalesOrderPatch
from clientele.errors import (
    Conflict,
    CustomerDeleted,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from clientele.services import orgs
from clientele.services.lookups import found, require_uuid
from clientele.services.saved import Saved
from clientele.store import customers as customer_store
from clientele.store import projects as project_store
from clientele.store import sales_orders as store
from clientele.store.catalog import Catalog
from clientele.store.table import Item, as_int

_SNAPSHOT_FIELDS = ("displayName", "emails", "phones", "billingAddress", "shippingAddress")
CREDIT_OVERRIDERS = frozenset({"admin"})  # SPEC §13: who may confirm over a customer's credit limit


class Caller(Protocol):
    """Who asks (the API's principal): the override of a credit limit is an admin's, and is recorded."""

    @property
    def subject(self) -> str: ...

    @property
    def role(self) -> str: ...


def _number_out(value: Any) -> int | float | None:
    return percent_out(value if isinstance(value, Decimal) else Decimal(str(value))) if value is not None else None


def _money(value: Any) -> str:
    return money_text(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def present(record: Item) -> dict[str, Any]:
    snapshot = record.get("customerSnapshot") or {}
    return {
        "id": record["id"],
        "number": record.get("number"),
        "customerId": record.get("customerId"),
        "customerProjectId": record.get("customerProjectId"),
        "status": record.get("status", "draft"),
        "lines": [{"description": line.get("description"), "quantity": _number_out(line.get("quantity")),
                   "unitPrice": _money(line.get("unitPrice")), "amount": _money(line.get("amount"))}
                  for line in record.get("lines") or []],
        "subtotal": _money(record.get("subtotal")),
        "discountRate": _number_out(record.get("discountRate")),
        "discountAmount": _money(record.get("discountAmount")),
        "total": _money(record.get("total")),
        "brokerId": record.get("brokerId"),
        "brokerFeePercent": _number_out(record.get("brokerFeePercent")),
        "currency": record.get("currency"),
        "paymentTerms": _terms_out(record.get("paymentTerms")),
        "creditLimitOverride": record.get("creditLimitOverride"),
        "customerSnapshot": {
            "displayName": snapshot.get("displayName") or "",
            "emails": list(snapshot.get("emails") or []),
            "phones": list(snapshot.get("phones") or []),
            "billingAddress": snapshot.get("billingAddress"),
            "shippingAddress": snapshot.get("shippingAddress"),
        },
        "version": as_int(record.get("version"), 1),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "confirmedAt": record.get("confirmedAt"),
        "cancelledAt": record.get("cancelledAt"),
    }


def _terms_out(terms: Any) -> dict[str, Any] | None:
    if not terms:
        return None
    return {"id": terms.get("id"), "name": terms.get("name"), "netDays": as_int(terms.get("netDays"))}


def _terms_copy(catalog: Catalog, terms_id: str | None) -> dict[str, Any] | None:
    """The customer's payment terms as the order keeps them (later edits of the entry do not change it)."""
    entry = catalog.entry("terms", terms_id)
    if entry is None:
        return None
    return {"id": entry["id"], "name": entry.get("name"), "netDays": as_int(entry.get("netDays"))}


def _override(body: SalesOrderCreate | SalesOrderPatch, caller: Caller | None, now: str) -> dict[str, str] | None:
    """The admin's override of the credit limit (who and when), when the request asks for one."""
    if body.overrideCreditLimit is not True:
        return None
    if caller is None or caller.role not in CREDIT_OVERRIDERS:
        raise Forbidden("Only an admin may confirm an order over the customer's credit limit "
                        "(overrideCreditLimit).")
    return {"by": caller.subject, "at": now}


def _require_uuid(value: str | None, field: str) -> None:
    if value is not None and not clock.is_uuid(value):
        raise ValidationFailed.of(field, "Not an id of this organisation.")


def _broker(catalog: Catalog, provided: dict[str, Any], default_id: str | None, default_fee: Decimal | None,
            *, default_must_exist: bool) -> tuple[str | None, Decimal | None, list[FieldError]]:
    """The order's broker and fee: the request's when it names them, else the given defaults (a
    customer's broker that was deleted counts as none); a broker named without a fee takes the
    broker's ``defaultFeePercent``."""
    errors: list[FieldError] = []
    if "brokerId" in provided:
        broker_id = provided["brokerId"]
        entry = catalog.entry("broker", broker_id)
        if broker_id and entry is None:
            errors.append(FieldError("brokerId", "No such broker in this organisation."))
        fee = provided.get("brokerFeePercent") if "brokerFeePercent" in provided else (entry or {}).get(
            "defaultFeePercent")
    else:
        broker_id = default_id if not default_must_exist or catalog.entry("broker", default_id) else None
        fee = provided["brokerFeePercent"] if provided.get("brokerFeePercent") is not None else default_fee
    if broker_id is None:
        if provided.get("brokerFeePercent") is not None:
            errors.append(FieldError("brokerFeePercent", "A broker fee needs a broker (brokerId)."))
        fee = None
    return broker_id, fee, errors


def _snapshot(customer: Item) -> dict[str, Any]:
    return {name: customer.get(name) for name in _SNAPSHOT_FIELDS if customer.get(name) not in (None, [], {})}


def create(org: str, body: SalesOrderCreate, caller: Caller | None = None) -> Saved:
    now = clock.now_iso()
    override = _override(body, caller, now)
    provided = body.provided()
    _require_uuid(body.customerId, "customerId")
    _require_uuid(body.customerProjectId, "customerProjectId")
    customer = customer_store.get_customer(org, body.customerId)
    if customer is None:
        raise ValidationFailed.of("customerId", "No such customer in this organisation.")
    catalog = orgs.catalog(org)
    broker_id, fee, errors = _broker(catalog, provided, customer.get("brokerId"), customer.get("brokerFeePercent"),
                                     default_must_exist=True)
    # 422 comes before 409 (SPEC §3): a project that is not the deleted customer's is named first.
    if (customer.get("deletedAt") and body.customerProjectId and not errors
            and project_store.get_project(org, body.customerId, body.customerProjectId) is None):
        errors.append(FieldError("customerProjectId", "No such project for this customer."))
    if errors:
        raise ValidationFailed(errors)
    if customer.get("deletedAt"):
        raise CustomerDeleted("The customer is deleted; restore it before ordering.")

    rate = customer.get("discountRate")
    totals = rules.compute_totals([line.model_dump() for line in body.lines], rate)
    status = body.status or "draft"
    sequence = store.next_number(org)  # after every check that can fail without a write
    record: Item = {
        "id": clock.new_id(), "number": rules.order_number(sequence), "sequence": sequence,
        "customerId": body.customerId, "customerProjectId": body.customerProjectId, "status": status,
        "lines": totals.lines, "subtotal": totals.subtotal, "discountRate": rate,
        "discountAmount": totals.discount_amount, "total": totals.total,
        "brokerId": broker_id, "brokerFeePercent": fee, "customerSnapshot": _snapshot(customer),
        "currency": customer_currency(customer, catalog.settings.default_currency if catalog.settings else None),
        "paymentTerms": _terms_copy(catalog, customer.get("paymentTermsId")),
        "version": 1, "createdAt": now, "updatedAt": now,
        "confirmedAt": now if status == "confirmed" else None,
    }
    credit = None
    if status == "confirmed":
        credit = store.CreditMove(totals.total, check=override is None)
        record.update(openValueCounted=True, creditLimitOverride=override)
    store.create_order(org, {name: value for name, value in record.items() if value is not None}, credit)
    return Saved(present(record), 1)


def _load(org: str, order_id: str) -> Item:
    require_uuid(order_id, "sales order")
    return found(store.get_order(org, order_id), "sales order")


def get(org: str, order_id: str) -> Saved:
    found = _load(org, order_id)
    return Saved(present(found), as_int(found.get("version"), 1))


def _same_lines(stored: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> bool:
    def shape(lines: list[dict[str, Any]]) -> list[tuple[str, Decimal, Decimal]]:
        return [(str(line["description"]), Decimal(line["quantity"]), Decimal(line["unitPrice"])) for line in lines]

    return shape(stored) == shape(wanted)


def change(org: str, order_id: str, body: SalesOrderPatch, expected_version: int,
           caller: Caller | None = None) -> Saved:
    now = clock.now_iso()
    override = _override(body, caller, now)
    before = _load(org, order_id)
    if as_int(before.get("version")) != expected_version:
        raise VersionConflict(as_int(before.get("version")))
    provided = body.provided()
    if provided.get("customerId") not in (None, before.get("customerId")):
        raise ValidationFailed.of("customerId", "An order cannot move to another customer.")
    _require_uuid(provided.get("customerProjectId"), "customerProjectId")

    current = str(before.get("status") or "draft")
    wanted_status = provided.get("status") or current
    if not rules.can_move(current, wanted_status):
        raise Conflict("invalid_transition", f"A {current} order cannot become {wanted_status}.",
                       errors=[{"field": "status", "message": f"Allowed from {current}: "
                                + ", ".join(sorted(rules.TRANSITIONS[current]))}])

    after = dict(before)
    changed: list[str] = []
    if "lines" in provided and not _same_lines(before.get("lines") or [], [
            line.model_dump() for line in body.lines or []]):
        totals = rules.compute_totals([line.model_dump() for line in body.lines or []], before.get("discountRate"))
        after.update(lines=totals.lines, subtotal=totals.subtotal, discountAmount=totals.discount_amount,
                     total=totals.total)
        changed.append("lines")
    if "brokerId" in provided or "brokerFeePercent" in provided:
        catalog = orgs.catalog(org)
        broker_id, fee, errors = _broker(catalog, provided, before.get("brokerId"), before.get("brokerFeePercent"),
                                         default_must_exist=False)
        if errors:
            raise ValidationFailed(errors)
        if broker_id != before.get("brokerId") or fee != before.get("brokerFeePercent"):
            after.update(brokerId=broker_id, brokerFeePercent=fee)
            changed.append("brokers")
    if changed and current != "draft":
        raise Conflict("order_not_draft", f"Lines and broker change only while the order is a draft; it is {current}.")
    if "customerProjectId" in provided and provided["customerProjectId"] != before.get("customerProjectId"):
        if current == "cancelled":
            raise Conflict("invalid_transition", "A cancelled order cannot change.")
        after["customerProjectId"] = provided["customerProjectId"]

    after.update(status=wanted_status, version=expected_version + 1, updatedAt=now)
    if wanted_status != current:
        after["confirmedAt" if wanted_status == "confirmed" else "cancelledAt"] = now
    credit = None
    if wanted_status == "confirmed" and current != "confirmed":
        credit = store.CreditMove(Decimal(str(after.get("total") or 0)), check=override is None)
        after.update(openValueCounted=True, creditLimitOverride=override)
    elif wanted_status == "cancelled" and before.get("openValueCounted"):
        # Only an order whose confirmation counted gives its total back (one confirmed before the
        # credit figures existed never added to them).
        credit = store.CreditMove(-Decimal(str(before.get("total") or 0)), check=False)
        after["openValueCounted"] = None
    store.update_order(org, before, after, expected_version, credit)
    return Saved(present(after), expected_version + 1)


def list_for_customer(org: str, customer_id: str, status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """A customer's orders, newest first: one Query (plus one GetItem when a first page is empty, to
    answer 404 for a customer that is not there)."""
    if not clock.is_uuid(customer_id):
        raise NotFound("No such customer.")
    scope = f"sales-orders|{customer_id}|{status or ''}"
    start = cursors.decode(org, scope, cursor)
    page = store.list_customer_orders(org, customer_id, status=status, limit=limit, start=start)
    if start is None and not page.items and customer_store.get_customer(org, customer_id) is None:
        raise NotFound("No such customer.")
    return {"items": [present(item) for item in page.items], "nextCursor": cursors.encode(org, scope, page.last_key)}
