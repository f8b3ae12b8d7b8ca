"""raw/approval_events, raw/approval_pins: the province approves (or unapproves) reporting units' months
(pipeline/warehouse/approvals.py decides and records); the job `approve` then rebuilds, publishes and reports."""
import dagster as dg

from pipeline.config import local_now, local_today
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import approvals


class SignOffConfig(dg.Config):
    """The same choices as `python -m pipeline approve` / `unapprove`.

    action: approve | unapprove. periods: months YYYY-MM, or a range YYYY-MM..YYYY-MM. units: unit codes
    (districts up to 2025-06, communes of today's map from 2025-07); empty: every unit that sent something
    for the month (approve), every unit approved (unapprove). by: the office deciding. as_of (YYYY-MM-DD):
    only files received or prepared by then count (default today); as_of_day: each month as of that day of
    the month after it. note: free text."""

    action: str = approvals.APPROVE
    periods: list[str]
    units: list[str] = []
    by: str
    as_of: str | None = None
    as_of_day: int | None = None
    note: str | None = None

    def request(self) -> approvals.Request:
        import datetime as dt

        try:
            as_of = dt.date.fromisoformat(self.as_of) if self.as_of else None
        except ValueError:
            raise approvals.ApprovalError(f"as_of '{self.as_of}' is not a day written YYYY-MM-DD") from None
        return approvals.Request(self.action, approvals.parse_periods(self.periods), tuple(self.units), by=self.by,
                                 as_of=as_of, as_of_day=self.as_of_day, note=self.note)


@dg.multi_asset(
    name="sign_off",
    specs=[dg.AssetSpec(["raw", "approval_events"], group_name="signoff", kinds={"python"},
                        description="Every approve and unapprove of a reporting unit's month, append-only"),
           dg.AssetSpec(["raw", "approval_pins"], group_name="signoff", kinds={"python"},
                        description="The submissions each approval pinned, per sheet kind and scope")],
    pool=WAREHOUSE_POOL,
)
def sign_off(context: dg.AssetExecutionContext, config: SignOffConfig, warehouse: WarehouseResource):
    """Approve or unapprove unit-months (one transaction); bad input fails the run and writes nothing."""
    with warehouse.write_lock(), warehouse.connect() as con:
        try:
            request = config.request()
            decisions = approvals.plan(con, request, local_today())
        except approvals.ApprovalError as refused:
            raise dg.Failure(description=str(refused)) from None
        events = approvals.record(con, request, decisions, context.run.run_id, local_now().replace(tzinfo=None))
    for decision in decisions:
        context.log.info(decision.line())
    lines = "\n".join(f"- {d.line()}" for d in decisions)
    yield dg.MaterializeResult(asset_key=["raw", "approval_events"],
                               metadata={"events_recorded": len(events), "decisions": dg.MetadataValue.md(lines)})
    yield dg.MaterializeResult(asset_key=["raw", "approval_pins"],
                               metadata={"pins_recorded": sum(len(d.pins) for d in decisions if d.records)})

