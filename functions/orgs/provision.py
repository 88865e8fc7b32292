"""Provision an organisation (settings + default types); invoked by read-only functions, which
hold no write permission, on an org's first request."""

from typing import Any

from clientele.services import orgs


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    org = str(event["org"])
    orgs.provision(org)
    return {"org": org, "provisioned": True}
