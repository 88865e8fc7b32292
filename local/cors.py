"""The template's ``CorsConfiguration``, applied as API Gateway applies it: preflights answered by
the gateway, allow/expose headers added to responses for requests with an ``Origin``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from local import template


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_template(cls) -> Cors:
        for resource in template.load_template()["Resources"].values():
            if resource.get("Type") == "AWS::Serverless::HttpApi":
                config = (resource.get("Properties") or {}).get("CorsConfiguration") or {}
                if not isinstance(config, Mapping):
                    continue
                max_age = config.get("MaxAge")
                return cls(
                    allow_origins=tuple(template.resolve(config.get("AllowOrigins")) or ()),
                    allow_headers=tuple(config.get("AllowHeaders") or ()),
                    allow_methods=tuple(config.get("AllowMethods") or ()),
                    expose_headers=tuple(config.get("ExposeHeaders") or ()),
                    max_age=int(max_age) if isinstance(max_age, int) else None,
                    allow_credentials=bool(config.get("AllowCredentials")),
                )
        return cls()

    @property
    def enabled(self) -> bool:
        return bool(self.allow_origins)

    def allowed_origin(self, origin: str | None) -> str | None:
        if not origin or not self.enabled:
            return None
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        return origin if origin in self.allow_origins else None

    def response_headers(self, origin: str | None) -> dict[str, str]:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return {}
        headers = {"Access-Control-Allow-Origin": allowed}
        if self.expose_headers:
            headers["Access-Control-Expose-Headers"] = ", ".join(self.expose_headers)
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        if allowed != "*":
            headers["Vary"] = "Origin"
        return headers

    def preflight_headers(self, origin: str | None) -> dict[str, str]:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return {}
        headers = {"Access-Control-Allow-Origin": allowed}
        if self.allow_methods:
            headers["Access-Control-Allow-Methods"] = ", ".join(self.allow_methods)
        if self.allow_headers:
            headers["Access-Control-Allow-Headers"] = ", ".join(self.allow_headers)
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = str(self.max_age)
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        if allowed != "*":
            headers["Vary"] = "Origin"
        return headers
