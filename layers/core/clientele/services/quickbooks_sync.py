"""The QuickBooks Online customer sync (SPEC §5.3, ARCHITECTURE §5 "QuickBooks").

Triggers (``functions/jobs/qbo_sync.py``):

* the schedule — :func:`request_all` lists the orgs with the integration on (sparse GSI1 partition, no
  Scan) and puts one ``QuickBooksSyncRequested`` ``{org, realmId}`` event per org on the bus, so each
  org syncs in its own invocation with its own time budget;
* ``QuickBooksSyncRequested`` ``{org[, realmId][, full]}`` (that fan-out, an admin's
  ``POST /integrations/quickbooks/sync`` through :func:`request`, or a full resync continuing) —
  :func:`sync` pulls what changed;
* ``QuickBooksCustomersChanged`` ``{org, realmId, customerIds[, deletedIds]}`` from the webhook —
  :func:`sync` with ``customer_ids`` fetches just those customers and leaves the watermark alone; the
  ``deleted_ids`` (QuickBooks ``Delete`` notifications) are soft-deleted here without a call to
  QuickBooks. Every id asked for that the query does not return is reported in the run's errors.

A run syncs only while the org's settings say ``customerIntegrationEnabled`` with provider
``quickbooks`` and the event's realm (when named) is still the org's realm. It holds the org's lease
(one run per org: the refresh token rotates); a run that finds the lease held exits quietly — whatever
it was asked for, the running sync or the next scheduled one picks up, since the watermark is the
*start* of a run. A *full* resync asked for then is not lost: the state remembers it
(``fullRequested``), and the running run, unless it is a full resync itself, asks for one as it ends.

What is fetched:

* CDC (``changedSince`` = the stored watermark) normally. CDC reaches back 30 days only and answers at
  most 1,000 objects, so the first run, a realm change, a watermark older than 30 days (minus an hour
  for the run itself) and a capped CDC answer all become a full resync:
  ``select * from Customer where Active in (true, false)`` paged by ``STARTPOSITION``/``MAXRESULTS``
  (a plain ``select`` would leave out inactive customers, which must be soft-deleted here).
* A full resync that runs short of time saves ``resume`` (next position, the original start) in the
  state item and puts a ``QuickBooksSyncRequested`` for the org: the next invocation continues.

Sub-customers (``Job``/``ParentRef``): the local customer of ``ParentRef`` becomes ``parentCustomerId``.
A sub-customer whose parent is not here yet (QuickBooks answers in any order) waits until the end of
the run; a parent still missing then is fetched by id. A link the customer type's ``hierarchyRole``
forbids (or a parent QuickBooks does not return) is left out, the customer saved without it, and the
run records an error for it — never a silent flattening. Countries that name no ISO country are left
out with a run warning. A ``Fault`` in an answer fails the run (the watermark stays). The commercial
fields (SPEC §13: website, resale number, tax exemption, currency, payment terms by name, the primary
tax id) are mapped by :mod:`clientele.services.quickbooks_commercial`.

Each customer is mapped (:func:`customer_document`) and saved through the upsert by remote id
(``services.customers.upserts``) — only when a mapped field or its active state differs from the stored
customer, so a re-run bumps no version. A row that fails validation (or cannot be deactivated, e.g. it
has live children) is counted, logged and kept among the state's first errors; it never stops the run.
The new watermark (run start minus :data:`WATERMARK_SKEW`) is stored only when the run succeeds; a run
that fails (QuickBooks still throttling or failing after the retries) keeps the old one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from clientele import clock
from clientele.domain.countries import normalise_country
from clientele.domain.customers import MAX_DEPTH
from clientele.domain.remote_ids import UpsertFields, valid_remote_id
from clientele.errors import ClienteleError, Conflict, ServiceUnavailable, ValidationFailed
from clientele.integrations.quickbooks import QboAuthError, QboClient, QboError, QboUnavailable
from clientele.services import orgs, quickbooks_webhook
from clientele.services.customers import upserts
from clientele.services.customers.records import changes_nothing
from clientele.services.quickbooks_commercial import commercial_document
from clientele.services.quickbooks_commercial import qbo_text as _text
from clientele.store import customers as customer_store
from clientele.store import quickbooks_sync as store
from clientele.store import remote_ids as remote_store
from clientele.store import settings as settings_store
from clientele.store.catalog import settings_from_item
from clientele.store.table import Item

logger = logging.getLogger("clientele")

EVENT_SOURCE = quickbooks_webhook.EVENT_SOURCE  # clientele.quickbooks
CUSTOMERS_CHANGED = quickbooks_webhook.DETAIL_TYPE  # the webhook's {org, realmId, customerIds}
SYNC_REQUESTED = "QuickBooksSyncRequested"  # {org[, realmId][, full]}
CDC_REACH = timedelta(days=30) - timedelta(hours=1)  # QuickBooks keeps 30 days of changes
CDC_CAP = 1000  # a CDC answer holds at most this many objects: a full answer may be cut short
WATERMARK_SKEW = timedelta(minutes=2)  # clock skew and changes committed while the run started
IDS_PER_QUERY = 100
MAX_ERRORS_KEPT = 20
REFRESH_TOKEN_WARNING = timedelta(days=14)  # GET /integrations/quickbooks/sync warns this long before
_QUERY_ALL = "select * from Customer where Active in (true, false)"


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def page_size() -> int:
    return max(1, min(1000, int(_setting("QBO_PAGE_SIZE", 1000))))


@dataclass
class Counts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    failed: int = 0

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> Counts:
        return cls(**{name: int((stored or {}).get(name) or 0) for name in cls.__dataclass_fields__})


@dataclass
class Outcome:
    org: str
    status: str  # completed | completed_with_errors | continuing | failed | locked | skipped
    mode: str | None = None  # cdc | full | ids
    counts: Counts = field(default_factory=Counts)
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"org": self.org, "status": self.status, "mode": self.mode, "counts": asdict(self.counts),
                "detail": self.detail}


# ----------------------------------------------------------------------------- mapping


def _address(raw: Any, label: str, warnings: list[str] | None) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        return None
    country_text = _text(raw.get("Country"))
    country = normalise_country(country_text) if country_text else None  # "USA", "United States" → "US"
    if country_text and country is None and warnings is not None:
        warnings.append(f"{label}.country {country_text!r} names no ISO 3166 country; it was left out.")
    address = {
        "line1": _text(raw.get("Line1")),
        "line2": _text(raw.get("Line2")),
        "city": _text(raw.get("City")),
        "region": _text(raw.get("CountrySubDivisionCode")),
        "postcode": _text(raw.get("PostalCode")),
        "country": country,
    }
    kept = {name: value for name, value in address.items() if value is not None}
    return kept or None


PHONE_FIELDS = ("PrimaryPhone", "Mobile", "AlternatePhone", "Fax")  # all of them join ``phones``


def parent_remote_id(raw: Mapping[str, Any]) -> str | None:
    """The QuickBooks id of a sub-customer's parent (``ParentRef``), or None for a top-level customer."""
    parent = raw.get("ParentRef")
    value = _text(parent.get("value")) if isinstance(parent, dict) else None
    return value if value and value != _text(raw.get("Id")) else None


def customer_document(raw: Mapping[str, Any], warnings: list[str] | None = None) -> dict[str, Any]:
    """A QuickBooks Customer as an upsert document: every owned field (``None`` when empty) + isActive.
    What cannot be mapped (a country that names no ISO country) is described in ``warnings``."""
    given, company = _text(raw.get("GivenName")), _text(raw.get("CompanyName"))
    if not given and not company:
        company = _text(raw.get("DisplayName"))
    phones = [number for name in PHONE_FIELDS if (number := _text((raw.get(name) or {}).get("FreeFormNumber")))]
    return {
        "firstName": given,
        "lastName": _text(raw.get("FamilyName")),
        "companyName": company,
        # QuickBooks keeps several addresses comma-separated in one field; the domain splits them.
        "emails": _text((raw.get("PrimaryEmailAddr") or {}).get("Address")),
        "phones": list(dict.fromkeys(phones)) or None,
        "billingAddress": _address(raw.get("BillAddr"), "billingAddress", warnings),
        "shippingAddress": _address(raw.get("ShipAddr"), "shippingAddress", warnings),
        "notes": _text(raw.get("Notes")),
        "isActive": raw.get("Active") is not False,
    }


# ----------------------------------------------------------------------------- triggers


def put_events(detail_type: str, details: list[dict[str, Any]]) -> None:
    """Put one ``clientele.quickbooks`` event per detail on the project's bus."""
    from clientele.events import publisher

    publisher.publish_all([(detail_type, detail) for detail in details], EVENT_SOURCE,
                          "Could not put the QuickBooks sync requests on the bus.")


def request_all() -> int:
    """The scheduled tick: one ``QuickBooksSyncRequested`` per org with the integration on."""
    details = [{"org": org, "realmId": realm} for org, realm in store.enabled_realms()]
    put_events(SYNC_REQUESTED, details)
    logger.info("quickbooks sync requested for %d org(s)", len(details))
    return len(details)


def connected_realm(org: str) -> str | None:
    """The org's realm while its QuickBooks integration is on (read consistently, not from a cache)."""
    item = settings_store.get_settings(org)
    return settings_from_item(item).quickbooks_realm if item is not None else None


def request(org: str, *, full: bool = False) -> None:
    """``POST /integrations/quickbooks/sync``: put one ``QuickBooksSyncRequested {org, realmId, full}``
    on the bus for the job. The settings are read consistently (an integration switched on a moment ago
    in another container counts); while the integration is off, 409 ``integration_disabled``."""
    realm = connected_realm(org)
    if realm is None:
        raise Conflict("integration_disabled",
                       "The QuickBooks integration is off for this organisation. An admin turns it on with "
                       "PUT /settings: customerIntegrationEnabled true, integrationProvider \"quickbooks\" "
                       "and quickbooksRealmId the QuickBooks company id.")
    put_events(SYNC_REQUESTED, [{"org": org, "realmId": realm, "full": full}])
    logger.info("quickbooks sync requested for org %s (full=%s)", org, full)


def sync(org: str, *, realm_id: str | None = None, customer_ids: Iterable[str] | None = None,
         deleted_ids: Iterable[str] = (), full: bool = False,
         time_left: Callable[[], float] | None = None) -> Outcome:
    """One run for one org (see the module docstring). ``time_left``: seconds this invocation has left.
    ``deleted_ids`` (with ``customer_ids``): customers QuickBooks says were deleted, soft-deleted here."""
    realm = connected_realm(org)
    if realm is None:
        logger.info("quickbooks sync for org %s skipped: the integration is off", org)
        return Outcome(org, "skipped", detail="integration_off")
    if realm_id and str(realm_id) != realm:
        logger.info("quickbooks sync for org %s skipped: realm %s is no longer connected", org, realm_id)
        return Outcome(org, "skipped", detail="realm_changed")
    owner = clock.new_id()
    if not store.acquire_lease(org, owner, _setting("QBO_SYNC_LEASE_SECONDS", 960)):
        logger.info("quickbooks sync for org %s not started: another run holds the lease (full=%s)", org, full)
        if full:
            store.request_full(org)
            return Outcome(org, "locked", detail="full_resync_follows")
        return Outcome(org, "locked")
    run = _Run(org, realm, owner, time_left)
    run.deleted_ids = [str(value) for value in deleted_ids]
    try:
        outcome = run.execute(None if customer_ids is None else [str(value) for value in customer_ids], full)
    finally:
        if not run.released:  # the run ended before its last write (which releases the lease with it)
            store.release_lease(org, owner)
    if outcome.status == "continuing":
        put_events(SYNC_REQUESTED, [{"org": org, "realmId": realm}])
    elif run.full_requested:
        logger.info("quickbooks full resync for org %s was requested during the run: it follows", org)
        put_events(SYNC_REQUESTED, [{"org": org, "realmId": realm, "full": True}])
    return outcome


# ----------------------------------------------------------------------------- one run


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Run:
    def __init__(self, org: str, realm: str, owner: str, time_left: Callable[[], float] | None) -> None:
        self.org = org
        self.realm = realm
        self.owner = owner
        self.released = False
        self.full_requested = False  # a full resync was asked for while this run held the lease
        self.time_left = time_left
        self.client = QboClient(org, realm)
        self.started = datetime.now(UTC)
        self.counts = Counts()
        self.errors: list[dict[str, str]] = []
        self.warnings: list[dict[str, str]] = []
        self.deleted_ids: list[str] = []  # ids mode: QuickBooks deleted these (webhook), no fetch needed
        self.waiting: dict[str, list[dict[str, Any]]] = {}  # parent's remote id → sub-customers waiting
        self.term_names: dict[str, str] | None = None  # QuickBooks Term Id → Name, fetched on first need
        self.mode = "cdc"

    # -- the run

    def execute(self, customer_ids: list[str] | None, full: bool) -> Outcome:
        state = store.get_state(self.org) or {}
        resume: dict[str, Any] | None = None
        if customer_ids is not None:
            self.mode = "ids"
        else:
            self.mode, resume = self._mode(state, full)
        if resume:
            self.counts = Counts.of(resume.get("counts"))
        store.update_state(self.org, {"realmId": self.realm, "status": "running", "mode": self.mode,
                                      "lastRunAt": _iso(self.started), "counts": asdict(self.counts),
                                      "errors": [], "warnings": [], "error": None})
        try:
            finished = self._fetch(state, customer_ids, resume)
        except QboError as exc:
            return self._failed(exc)
        except Exception as exc:
            self._failed(exc)
            raise
        return self._finished(finished, resume)

    def _mode(self, state: Item, full: bool) -> tuple[str, dict[str, Any] | None]:
        same_realm = state.get("realmId") == self.realm
        resume = state.get("resume")
        if not full and same_realm and isinstance(resume, dict) and resume.get("position"):
            return "full", resume
        watermark = clock.parse_iso(state.get("changedSince"))
        if full or state.get("fullRequested") or not same_realm or watermark is None \
                or watermark < self.started - CDC_REACH:
            return "full", None
        return "cdc", None

    def _fetch(self, state: Item, customer_ids: list[str] | None, resume: dict[str, Any] | None) -> bool:
        """True when everything asked for was synced; False when a full resync must continue."""
        if customer_ids is not None:
            deleted = list(dict.fromkeys(self.deleted_ids))
            if deleted:  # no call to QuickBooks: the notification itself says what happened
                self._page([{"Id": value, "status": "Deleted"} for value in deleted], "deleted by webhook")
            wanted = [value for value in dict.fromkeys(customer_ids) if value not in set(deleted)]
            for value in wanted:
                if not valid_remote_id(value):
                    self._fail(value[:100] or "?", "Not a QuickBooks customer id.")
            self._by_ids([value for value in wanted if valid_remote_id(value)], "ids")
            self._settle_waiting()
            return True
        if self.mode == "cdc":
            changed = self.client.changed_customers(str(state["changedSince"]))
            if len(changed) < CDC_CAP:
                self._page(changed, f"cdc since {state['changedSince']}")
                self._settle_waiting()
                return True
            logger.warning("quickbooks cdc for org %s answered %d objects (the cap): full resync", self.org,
                           len(changed))
            self.mode = "full"
        return self._full(int((resume or {}).get("position") or 1), resume)

    def _full(self, position: int, resume: dict[str, Any] | None) -> bool:
        size = page_size()
        while True:
            page = self.client.query_customers(f"{_QUERY_ALL} STARTPOSITION {position} MAXRESULTS {size}")
            self._page(page, f"full from {position}")
            if len(page) < size:
                self._settle_waiting()
                return True
            position += size
            if self.time_left is not None and self.time_left() < _setting("QBO_SYNC_TIME_MARGIN_SECONDS", 120):
                self._settle_waiting()  # the continuation may never see these sub-customers again
                started = (resume or {}).get("startedAt") or _iso(self.started)
                store.update_state(self.org, {"resume": {"position": position, "startedAt": started,
                                                         "counts": asdict(self.counts)}})
                return False

    def _by_ids(self, wanted: list[str], label: str, *, report_missing: bool = True) -> None:
        """Fetch and apply these customers (by query); an id QuickBooks does not return is an error."""
        for start in range(0, len(wanted), IDS_PER_QUERY):
            chunk = wanted[start:start + IDS_PER_QUERY]
            quoted = ", ".join(f"'{value}'" for value in chunk)  # ids are [A-Za-z0-9._:@-]: nothing to escape
            statement = f"{_QUERY_ALL} and Id in ({quoted}) MAXRESULTS {IDS_PER_QUERY}"
            found = self.client.query_customers(statement)
            returned = {_text(raw.get("Id")) for raw in found}
            for value in chunk if report_missing else ():
                if value not in returned:
                    self._fail(value, "QuickBooks did not return this customer (deleted, merged away, or not a "
                                      "customer of this company); nothing was changed here.")
            self._page(found, f"{label} {start + 1}-{start + len(chunk)}")

    def _settle_waiting(self) -> None:
        """Apply the sub-customers whose parent was not here when they came (QuickBooks answers in any
        order): fetch parents still missing, link each child once its parent exists (top down), and save
        the rest without the link, each recorded as an error."""
        for _ in range(MAX_DEPTH):  # a fetched parent may itself wait for its own parent
            waiting_ids = {_text(raw.get("Id")) for group in self.waiting.values() for raw in group}
            missing = [remote_id for remote_id in self.waiting if remote_id not in waiting_ids
                       and valid_remote_id(remote_id) and self._local_id(remote_id) is None]
            if not missing:
                break
            before = set(self.waiting)
            self._by_ids(missing, "parents", report_missing=False)
            if set(self.waiting) == before and all(self._local_id(value) is None for value in missing):
                break
        applied = bool(self.waiting)
        progress = True
        while self.waiting and progress:
            progress = False
            for parent in list(self.waiting):
                if self._local_id(parent) is not None:
                    for raw in self.waiting.pop(parent):
                        self._apply(raw, settling=True)
                    progress = True
        leftover, self.waiting = self.waiting, {}
        for raw in (raw for group in leftover.values() for raw in group):
            self._apply(raw, settling=True)  # the parent never came: saved without the link, an error kept
        if applied:
            store.update_state(self.org, {"counts": asdict(self.counts), "errors": self.errors,
                                          "warnings": self.warnings})

    def _page(self, customers: list[dict[str, Any]], label: str) -> None:
        before = Counts(**asdict(self.counts))
        for raw in customers:
            self.counts.fetched += 1
            self._apply(raw)
        store.update_state(self.org, {"counts": asdict(self.counts), "errors": self.errors,
                                      "warnings": self.warnings})
        delta = {name: value - getattr(before, name) for name, value in asdict(self.counts).items()}
        logger.info("quickbooks sync org=%s realm=%s mode=%s page=%r fetched=%d created=%d updated=%d "
                    "unchanged=%d deactivated=%d failed=%d requests=%d", self.org, self.realm, self.mode, label,
                    delta["fetched"], delta["created"], delta["updated"], delta["unchanged"],
                    delta["deactivated"], delta["failed"], self.client.requests)

    def _finished(self, finished: bool, resume: dict[str, Any] | None) -> Outcome:
        if not finished:
            self._finish({"status": "continuing", "counts": asdict(self.counts)})
            logger.info("quickbooks full resync for org %s continues in another invocation", self.org)
            return Outcome(self.org, "continuing", self.mode, self.counts)
        status = "completed_with_errors" if self.counts.failed or self.errors else "completed"
        changes: dict[str, Any] = {"status": status, "counts": asdict(self.counts), "errors": self.errors,
                                   "warnings": self.warnings, "lastSuccessAt": _iso(datetime.now(UTC))}
        remove: tuple[str, ...] = ()
        if self.mode != "ids":  # only a run that looked at every change moves the watermark
            started = clock.parse_iso((resume or {}).get("startedAt")) or self.started
            changes["changedSince"] = _iso(started - WATERMARK_SKEW)
            remove = ("resume",)
        if self.mode == "full":  # it answers any full resync asked for before or during it
            remove = (*remove, "fullRequested")
        self._finish(changes, remove, watch_full_request=self.mode != "full")
        return Outcome(self.org, status, self.mode, self.counts)

    def _failed(self, exc: Exception) -> Outcome:
        """Record the failure (the watermark stays); QuickBooks still failing is re-raised so the
        invocation counts as failed and is retried, a refused token or bad request is not."""
        logger.error("quickbooks sync for org %s failed: %s", self.org, exc)
        self._finish({"status": "failed", "error": str(exc)[:1000], "counts": asdict(self.counts),
                      "errors": self.errors, "warnings": self.warnings})
        if isinstance(exc, QboUnavailable):
            raise exc
        detail = "reconnect" if isinstance(exc, QboAuthError) else "quickbooks_error"
        return Outcome(self.org, "failed", self.mode, self.counts, detail=detail)

    def _finish(self, changes: dict[str, Any], remove: tuple[str, ...] = (), *,
                watch_full_request: bool = False) -> None:
        """The run's last state write, with the lease's release: no reader sees an outcome while
        the lease still says the run goes on."""
        refresh_expires = self.client.refresh_token_expires_at
        if refresh_expires is not None:  # known once the tokens were read; absent ones leave the stored value
            changes = {**changes, "refreshTokenExpiresAt": _iso(refresh_expires)}
        self.full_requested = store.finish_run(self.org, self.owner, changes, remove,
                                               watch_full_request=watch_full_request)
        self.released = True

    # -- one customer

    def _fail(self, remote_id: str, message: str) -> None:
        self.counts.failed += 1
        logger.warning("quickbooks customer %s of org %s not synced: %s", remote_id, self.org, message)
        self._error(remote_id, message)

    def _error(self, remote_id: str, message: str) -> None:
        """Keep a row error (the first :data:`MAX_ERRORS_KEPT`) for the sync's progress."""
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"remoteId": remote_id, "message": message[:500]})

    def _warn(self, remote_id: str, message: str) -> None:
        logger.warning("quickbooks customer %s of org %s: %s", remote_id, self.org, message)
        if len(self.warnings) < MAX_ERRORS_KEPT:
            self.warnings.append({"remoteId": remote_id, "message": message[:500]})

    def _apply(self, raw: dict[str, Any], *, settling: bool = False) -> None:
        if settling:
            self.counts.fetched += 1  # taken back while it waited for its parent
        remote_id = _text(raw.get("Id")) or ""
        if not valid_remote_id(remote_id):
            self._fail(remote_id or "?", "The customer has no usable Id.")
            return
        deleted_upstream = str(raw.get("status") or "").lower() == "deleted"
        parent_remote = None if deleted_upstream else parent_remote_id(raw)
        parent_id = self._local_id(parent_remote) if parent_remote else None
        if parent_remote and parent_id is None and not settling:
            self.counts.fetched -= 1  # counted again when it is applied after its parent
            self.waiting.setdefault(parent_remote, []).append(raw)
            return
        warnings: list[str] = []
        document: dict[str, Any]
        existing = self._existing(remote_id)
        try:
            document = {"isActive": False} if deleted_upstream else customer_document(raw, warnings)
            if not deleted_upstream:
                document.update(commercial_document(
                    raw, document, catalog=orgs.catalog(self.org), term_name=self._term_name,
                    stored_tax_ids=(existing or {}).get("taxIds"), warnings=warnings))
            if parent_id is not None:
                document["parentCustomerId"] = parent_id
                document["billWithParent"] = raw.get("BillWithParent") is True
            fields = UpsertFields.model_validate(document)
        except ValidationError as exc:
            self._fail(remote_id, "; ".join(f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                                            for error in exc.errors()))
            return
        for warning in warnings:
            self._warn(remote_id, warning)
        if parent_remote and parent_id is None:
            self._error(remote_id, f"parentCustomerId: the parent customer {parent_remote} (ParentRef) is not in "
                                   "QuickBooks' answer; saved without the link.")
        if (existing is None and deleted_upstream) or (existing is not None and self._same(existing, fields)):
            self.counts.unchanged += 1
            return
        try:
            created = self._upsert(remote_id, fields)
        except ServiceUnavailable:
            raise
        except ValidationFailed as exc:
            self._fail(remote_id, "; ".join(f"{error.field}: {error.message}" for error in exc.errors))
            return
        except ClienteleError as exc:  # e.g. has_children: the customer cannot be deactivated yet
            self._fail(remote_id, f"{getattr(exc, 'conflict_code', exc.code)}: {exc.detail}")
            return
        if created is None:
            self.counts.unchanged += 1
            return
        if created:
            self.counts.created += 1
        elif fields.isActive is False:
            self.counts.deactivated += 1
        else:
            self.counts.updated += 1

    def _upsert(self, remote_id: str, fields: UpsertFields) -> bool | None:
        """Save through the upsert by remote id; True when created. A parent link the hierarchy rules
        refuse is dropped, the rest saved, and the refusal recorded (None: nothing left to change)."""
        try:
            _saved, created = upserts.upsert(self.org, remote_id, fields)
            return created
        except ValidationFailed as exc:
            refused = [error for error in exc.errors if error.field == "parentCustomerId"]
            if not refused or len(refused) != len(exc.errors) or "parentCustomerId" not in fields.model_fields_set:
                raise
        self._error(remote_id, "parentCustomerId: " + "; ".join(error.message for error in refused)
                    + " Saved without the link to its QuickBooks parent.")
        unlinked = UpsertFields.model_validate(
            {name: value for name, value in fields.model_dump(exclude_unset=True).items()
             if name not in ("parentCustomerId", "billWithParent")})
        existing = self._existing(remote_id)
        if existing is not None and self._same(existing, unlinked):
            return None
        _saved, created = upserts.upsert(self.org, remote_id, unlinked)
        return created

    def _term_name(self, term_id: str) -> str | None:
        """The name of a QuickBooks Term (a SalesTermRef may come without it): the company's terms are
        fetched once per run, on first need."""
        if self.term_names is None:
            self.term_names = {str(term.get("Id")): str(term["Name"]) for term in self.client.query_terms()
                               if term.get("Name")}
        return self.term_names.get(term_id)

    def _local_id(self, remote_id: str | None) -> str | None:
        return remote_store.customer_id_for(self.org, remote_id) if remote_id else None

    def _existing(self, remote_id: str) -> Item | None:
        customer_id = self._local_id(remote_id)
        return customer_store.get_customer(self.org, customer_id) if customer_id else None

    def _same(self, existing: Item, fields: UpsertFields) -> bool:
        """Would the upsert change nothing? Compared after the same normalisation a save applies."""
        deleted = bool(existing.get("deletedAt"))
        if fields.isActive is False or deleted:
            return fields.isActive is False and deleted  # a deleted customer keeps its stored fields
        return changes_nothing(existing, fields.provided(), orgs.catalog(self.org))
