"""POST /customer-types, /customer-segments, /brokers, /customer-categories, /payment-terms — a new entry, last unless
``sortOrder`` is given (201, Location, ETag; Idempotency-Key honoured)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from clientele.api import http, idempotency
from clientele.api.auth import ADMINS
from clientele.api.schemas.taxonomies import BrokerEntry, CustomerTypeEntry, PaymentTermsEntry, TaxonomyEntry
from clientele.domain.taxonomies import SPECS, Kind
from clientele.domain.taxonomy_models import (
    BrokerFields,
    CustomerTypeFields,
    EntryFields,
    PaymentTermsFields,
    TaxonomyFields,
)
from clientele.services import taxonomies

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=http.parse_json)
http.install(app)


def _created(kind: Kind, body: TaxonomyFields, key: str | None) -> Response[Any]:
    org = http.principal().org

    def produce() -> dict[str, Any]:
        return taxonomies.create(org, kind, body.provided()).body

    created = idempotency.once(org, f"taxonomies.create.{kind}", key, body.model_dump(mode="json"), produce)
    return http.json_response(created, 201, version=created["version"],
                              location=f"{SPECS[kind].path}/{created['id']}")


@app.post("/customer-types", tags=["taxonomies"], summary="Create a customer type")
def create_customer_type(
    body: Annotated[CustomerTypeFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[CustomerTypeEntry]:
    return _created("type", body, idempotency_key)


@app.post("/customer-segments", tags=["taxonomies"], summary="Create a customer segment")
def create_customer_segment(
    body: Annotated[EntryFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[TaxonomyEntry]:
    return _created("segment", body, idempotency_key)


@app.post("/brokers", tags=["taxonomies"], summary="Create a broker")
def create_broker(
    body: Annotated[BrokerFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[BrokerEntry]:
    return _created("broker", body, idempotency_key)


@app.post("/customer-categories", tags=["taxonomies"], summary="Create a customer category")
def create_customer_category(
    body: Annotated[EntryFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[TaxonomyEntry]:
    return _created("category", body, idempotency_key)


@app.post("/payment-terms", tags=["taxonomies"], summary="Create payment terms")
def create_payment_terms(
    body: Annotated[PaymentTermsFields, Body()],
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key")] = None,
) -> Response[PaymentTermsEntry]:
    return _created("terms", body, idempotency_key)


lambda_handler = http.entrypoint(app, ADMINS)
