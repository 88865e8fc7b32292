"""The request model of ``POST /integrations/quickbooks/sync`` (an optional body)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full: StrictBool = Field(default=False, description="A full resync instead of the changes since the watermark.")
