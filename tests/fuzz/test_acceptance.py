"""The document promises no more and no less than the server does (SPEC §7.1), checked by schemathesis.

- ``positive_data_acceptance``: a request valid by the document is not refused with 400/422/428
  (with the ids of real resources substituted in most cases, as in ``test_schemathesis.py``).
  State may still refuse it — 404 (no such id), 409 (a duplicate name, a live child), 412 (a
  version that is not the current one): those are answers about the data, not about the shape.
- ``negative_data_rejection``: a request the document calls invalid is refused with a 4xx. Negative
  cases are sent as generated (no substitution), so the invalid part always reaches the server.

A JSON Schema cannot state every rule. The 422s a valid-by-schema request may still get are listed
in ``SEMANTIC_ONLY`` with their reasons; a 422 passes only when *every* error it names is one of them.

Budget: ``FUZZ_ACCEPTANCE_EXAMPLES`` (default 6) generated cases per operation and mode.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from local.launch import REQUEST_TIMEOUT
from local.openapi import DOCUMENT
from tests.e2e.conftest import Stack
from tests.fuzz.test_schemathesis import SEED, World, errors_are_problem_documents, run_case

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = int(os.environ.get("FUZZ_ACCEPTANCE_EXAMPLES", "6"))

# (field pattern, message pattern, why a JSON Schema cannot say it)
SEMANTIC_ONLY: list[tuple[str, str, str]] = [
    (r"phones(\[\d+\])?|phone|contacts\[\d+\]\.phone", r"not a (possible|valid)|phone",
     "a phone number must be possible for its region (libphonenumber), not a pattern"),
    (r"emails(\[\d+\])?|email|contacts\[\d+\]\.email", r"not a valid email",
     "an email address is checked by a pragmatic RFC 5321 rule, not JSON Schema's `format: email`"),
    (r".*(Date|At|Before|After)$", r"date|time",
     "a real calendar date or instant (2026-02-30 matches the pattern)"),
    (r"parentCustomerId|customerTypeId", r"parent|purchaser|member|ancestor|deeper|hierarchy|type must stay",
     "hierarchy rules depend on the types of the customer and its parent"),
    (r".*Id$|.*Ids?(\[\d+\])?$|contacts\[\d+\]\.(addressEntryId|id)|attendees(\[\d+\])?|ids(\[\d+\])?",
     r"[Nn]o such|Not an id|not active|not .*this (organisation|customer|list)|exactly|every|once",
     "references must name existing, active entries of this organisation"),
    (r"firstName", r"firstName or a companyName",
     "a customer needs a firstName or a companyName (one of two, on the merged document)"),
    (r"title|body|type", r"needs a|Give the type",
     "what an activity needs depends on its type (a task a title, a note a body)"),
    (r"(billingAddress\.|shippingAddress\.)?country|defaultCountry", r"ISO 3166",
     "a country must be an assigned ISO 3166-1 code (an enum of 249 would be stale)"),
    (r"brokerFeePercent", r"needs a broker",
     "a broker fee needs a broker (on the merged document)"),
    (r"contacts(\[\d+\]\.\w+)?", r"primary|name|at most",
     "contact list rules: one primary, a name for each new contact"),
    (r"targetEndDate", r"before", "a project cannot end before it starts"),
    (r"body|name", r"at most \d+ entries|already", "a taxonomy list holds at most 99 entries; names are unique"),
    (r"lines|status|customerId|customerProjectId", r"draft|confirmed|cancelled|transition|deleted",
     "a sales order's lines change only while it is a draft; status moves forward only"),
    (r"quickbooksRealmId|integrationProvider|customerIntegrationEnabled", r".",
     "the integration fields go together (enabled needs a provider and a realm)"),
    (r"defaultAreaCode", r".", "an area code must exist in the default country's numbering plan"),
    (r"q", r".", "a search needs at least one letter or digit"),
    (r"phone|email", r"Give a phone, an email or both", "a match needs one of two query parameters"),
    (r"status|dueDate", r"Only tasks", "only a task has a status and a due date (it depends on the activity's type)"),
    (r"body", r"CSV", "the CSV's header row must name known columns"),
    (r"url", r"https|public addresses|credentials|fragment|needs a host|not a valid URL|spaces or control|"
             r"internationali[sz]ed|names its port|needs a url",
     "a webhook URL must be https to a host that is and resolves to public addresses (SSRF rules)"),
    (r"body", r"at most 20 webhooks", "an organisation has at most 20 webhooks (a count, not a shape)"),
    (r"currency|defaultCurrency", r"ISO 4217", "a currency must be an assigned ISO 4217 code (pycountry), not 3 letters"),
    (r"taxIds\[\d+\]\.value", r"is not", "a tax id must pass its scheme's format and check digits (python-stdnum)"),
    (r"website", r"web address|host|http|user name",
     "a website must parse as an http(s) URL with a host name (WHATWG URL parsing), more than a pattern"),
]


def semantic_only(response: schemathesis.Response) -> bool:
    """A 422 every error of which is a rule the document cannot state; or a cursor the server did not
    issue (cursors are opaque and signed: only one from a previous page is valid, SPEC §3)."""
    if response.status_code == 400:
        return (response.json() or {}).get("code") == "bad_cursor"
    if response.status_code != 422:
        return False
    errors = (response.json() or {}).get("errors") or []
    return bool(errors) and all(
        any(re.fullmatch(field, str(error.get("field", "")))
            and re.search(message, str(error.get("message", "")), re.IGNORECASE)
            for field, message, _reason in SEMANTIC_ONLY)
        for error in errors)


@schemathesis.check
def valid_requests_are_accepted(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                                case: schemathesis.Case) -> bool | None:
    if semantic_only(response):
        return None
    return positive_data_acceptance(ctx, response, case)


def _config(mode: str, max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"mode": mode, "max-examples": max_examples, "deterministic": True, "database": "none",
                       "no-shrink": True, "with-security-parameters": False},
        "phases": {"examples": {"enabled": False}, "fuzzing": {"enabled": True},
                   "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {
            # 412: a well-formed If-Match naming a version that is not the current one (state, not shape).
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "412", "429",
                                                               "5xx"]},
            "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "406", "409",
                                                              "413", "415", "422", "428", "429"]},
        },
    })


positive = schemathesis.openapi.from_path(DOCUMENT, config=_config("positive", MAX_EXAMPLES))
negative = schemathesis.openapi.from_path(DOCUMENT, config=_config("negative", MAX_EXAMPLES))


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    import uuid

    return World(stack, f"accept-{uuid.uuid4().hex[:8]}")


@positive.parametrize()
def test_valid_requests_are_accepted(case: schemathesis.Case, stack: Stack, world: World) -> None:
    run_case(case, stack, world, stack.token(world.org, "admin"),
             checks=[valid_requests_are_accepted, errors_are_problem_documents])


@negative.parametrize()
def test_invalid_requests_are_refused(case: schemathesis.Case, stack: Stack) -> None:
    if case.media_type == "text/csv":
        # A text body has no type but text: a "number" or "object" the generator makes is, on the wire,
        # just more CSV text; the importer answers for its content (rows, columns), not its JSON type.
        return
    headers = {"Authorization": f"Bearer {stack.token('accept-negative', 'admin')}"}
    case.call_and_validate(base_url=stack.url, headers=headers, timeout=REQUEST_TIMEOUT,
                           checks=[negative_data_rejection, errors_are_problem_documents])
