"""Cognito pre-token-generation trigger: copies the user's org and role into the tokens as the
plain claims `org_id` and `role` that every handler reads (SPEC §2).

Handles both trigger event versions: V1 (ID token only) and V2/V3 (ID and access tokens).
"""

from typing import Any

ROLES = {"admin", "editor", "viewer", "integration"}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    attributes = event.get("request", {}).get("userAttributes", {})
    org = attributes.get("custom:org_id", "")
    role = attributes.get("custom:role", "")
    claims = {"org_id": org, "role": role if role in ROLES else "viewer"}
    if not org:
        # A user without an org gets no tenant claims: every API call answers 401.
        claims = {}
    version = str(event.get("version", "1"))
    response = event.setdefault("response", {})
    if version == "1":
        response["claimsOverrideDetails"] = {"claimsToAddOrOverride": claims}
    else:
        response["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": claims},
            "accessTokenGeneration": {"claimsToAddOrOverride": claims},
        }
    return event
