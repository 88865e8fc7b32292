"""Request models of the taxonomy lists (SPEC §4.2, §13): one create and one PATCH model per shape.

Create models carry the defaults; PATCH models are all-optional and a PATCH changes exactly the
fields sent. A field that cannot be empty refuses an explicit ``null`` (422 naming it); the only
nullable field is a broker's ``defaultFeePercent`` (``null`` clears it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from clientele.domain.fields import Percent

MAX_SORT_ORDER = 2_147_483_647

# The same values as domain.taxonomies.COLORS / HIERARCHY_ROLES (a unit test keeps them equal).
Color = Literal["green", "blue", "yellow", "red", "purple", "gray", "orange", "teal", "pink", "brown",
                "black"]
HierarchyRole = Literal["none", "purchaser", "member"]
EntryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
SortOrder = Annotated[int, Field(ge=0, le=MAX_SORT_ORDER)]
MAX_NET_DAYS = 999
NetDays = Annotated[int, Field(ge=0, le=MAX_NET_DAYS)]  # days from the invoice to its due date

# Fields a client may echo back from a GET; accepted and ignored (never written).
READ_ONLY_FIELDS = frozenset({"id", "createdAt", "updatedAt", "version"})
_NOT_NULL = ("name", "sortOrder", "isActive", "color", "hierarchyRole", "netDays")


class TaxonomyFields(BaseModel):
    """Shared by every taxonomy request model."""

    model_config = ConfigDict(extra="forbid")

    id: Any = Field(default=None, exclude=True)
    createdAt: Any = Field(default=None, exclude=True)
    updatedAt: Any = Field(default=None, exclude=True)
    version: Any = Field(default=None, exclude=True)

    @field_validator(*_NOT_NULL, check_fields=False)
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_null", "This field cannot be null.")
        return value

    def provided(self) -> dict[str, Any]:
        """The writable fields as the entry will hold them: sent ones for a PATCH, all for a create."""
        sent = self.model_fields_set if self._partial else set(type(self).model_fields)
        return {name: getattr(self, name) for name in sent if name not in READ_ONLY_FIELDS}

    _partial = False


class EntryFields(TaxonomyFields):
    """POST /customer-segments, /customer-categories."""

    name: EntryName
    sortOrder: SortOrder | None = None  # None: after the last entry
    isActive: StrictBool = True


class CustomerTypeFields(EntryFields):
    """POST /customer-types."""

    color: Color = "gray"
    hierarchyRole: HierarchyRole = "none"


class BrokerFields(EntryFields):
    """POST /brokers."""

    defaultFeePercent: Percent | None = None


class PaymentTermsFields(EntryFields):
    """POST /payment-terms: ``netDays`` (0 = due on receipt) is required."""

    netDays: NetDays


class EntryChanges(TaxonomyFields):
    """PATCH /customer-segments/{id}, /customer-categories/{id}."""

    _partial = True

    name: EntryName | None = None
    sortOrder: SortOrder | None = None
    isActive: StrictBool | None = None


class CustomerTypeChanges(EntryChanges):
    """PATCH /customer-types/{id}."""

    color: Color | None = None
    hierarchyRole: HierarchyRole | None = None


class BrokerChanges(EntryChanges):
    """PATCH /brokers/{id}; ``defaultFeePercent: null`` clears the default fee."""

    defaultFeePercent: Percent | None = None


class PaymentTermsChanges(EntryChanges):
    """PATCH /payment-terms/{id}."""

    netDays: NetDays | None = None


class NewOrder(BaseModel):
    """PUT /{list}/order: every id of the list exactly once, in the new order."""

    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=1000)]
