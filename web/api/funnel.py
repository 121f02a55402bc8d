"""``GET /api/v1/funnel`` and ``/forecast``: the sales funnel and the weighted forecast, now or as of a past date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from flask.views import MethodView
from marshmallow import RAISE

from domain.errors import InvalidValueError
from domain.products.model import product_id_for
from projections.queries.forecast import get_forecast
from projections.queries.funnel import DealFilter, get_funnel
from web.api.auth import requires
from web.api.blueprint import Blueprint
from web.api.errors import field_error
from web.api.reads import read
from web.schemas.funnel import ForecastSchema, FunnelQuerySchema, FunnelSchema
from web.services import services

blp = Blueprint("funnel", __name__, description="Sales funnel figures computed from deal stage history.")


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` (UTC): "as of 2017-06-30" includes everything on that day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc) - timedelta(microseconds=1)


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


def _product_id(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(UUID(value))
    except ValueError:
        pass
    try:
        return str(product_id_for(value))
    except InvalidValueError as exc:
        raise field_error(422, "product", exc.message) from None


def _as_of(query: dict[str, Any]) -> datetime:
    now = services().clock.now()
    if "as_of" not in query:
        return now
    day_starts = _start(query["as_of"])
    if day_starts is not None and day_starts > now:
        raise field_error(422, "as_of", f"is in the future: figures are known up to today ({now:%Y-%m-%d})")
    return end_of_day(query["as_of"])


def _where(query: dict[str, Any]) -> DealFilter:
    return DealFilter(owner=query.get("owner"), team=query.get("team"), region=query.get("region"),
                      product_id=_product_id(query.get("product")),
                      opened_since=_start(query.get("opened_since")), opened_until=_start(query.get("opened_until")))


@blp.route("/funnel")
class Funnel(MethodView):
    @requires("read:funnel")
    @blp.etag
    @blp.arguments(FunnelQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, FunnelSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The funnel: deals per stage with value, conversion, win rate, cycle and velocity."""
        as_of, where = _as_of(query), _where(query)
        return read(query, lambda conn: get_funnel(conn, as_of=as_of, where=where))


@blp.route("/forecast")
class Forecast(MethodView):
    @requires("read:funnel")
    @blp.etag
    @blp.arguments(FunnelQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ForecastSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The weighted forecast: open deals' value x their stage's win probability, per stage and by expected
        close month. Probabilities are the ones an admin set now, else learnt from the stages' closed deals."""
        as_of, where = _as_of(query), _where(query)
        return read(query, lambda conn: get_forecast(conn, as_of=as_of, where=where))
