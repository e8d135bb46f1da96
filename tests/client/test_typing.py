"""The field converters that type the document for client generators (quantum.openapi)."""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError, fields

import quantum.tables  # noqa: F401  (every table first: the schemas modules import models mid-cycle otherwise)
from quantum.openapi import _api, string_enum
from quantum.portfolio.schemas import HoldingOut
from quantum.trading.models import OrderSide
from tests.conftest import make_app


@pytest.fixture(scope="module")
def converter(tmp_path_factory: pytest.TempPathFactory):
    """The app's apispec field converter, with the project's attribute functions installed."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('typing') / 'doc.db'}")
    return _api(app).ma_plugin.converter


def test_a_string_enum_loads_and_dumps_plain_strings():
    class Side(Schema):
        side = string_enum("OrderSide", OrderSide, required=True)

    loaded = Side().load({"side": "buy"})
    assert loaded == {"side": "buy"} and type(loaded["side"]) is str
    assert Side().dump({"side": "sell"}) == {"side": "sell"}
    with pytest.raises(ValidationError) as raised:
        Side().load({"side": "short"})
    assert raised.value.messages == {"side": ["Must be one of: buy, sell."]}


def test_enums_become_references_to_one_named_schema(converter):
    assert converter.field2property(string_enum("OrderSide", OrderSide)) == {"$ref": "#/components/schemas/OrderSide"}
    assert converter.spec.components.schemas["OrderSide"] == {"type": "string", "enum": ["buy", "sell"]}
    nullable = converter.field2property(string_enum("OrderSide", OrderSide, allow_none=True))
    assert nullable == {"allOf": [{"$ref": "#/components/schemas/OrderSide"}], "nullable": True}


def test_one_enum_name_with_two_value_lists_is_refused(converter):
    converter.field2property(string_enum("Colour", ["red", "green"]))
    with pytest.raises(ValueError, match="Colour"):
        converter.field2property(string_enum("Colour", ["red", "blue"]))


def test_a_nullable_nested_schema_is_all_of_and_nullable(converter):
    prop = converter.field2property(fields.Nested(HoldingOut, allow_none=True))
    assert prop == {"allOf": [{"$ref": "#/components/schemas/HoldingOut"}], "nullable": True}
