"""The panel's lists and command forms, one module per area; ``register_views`` adds them to
the menu, by task: My queue, Customers, Cases, Promises, Deals, Touchpoints, SLA, Reports,
Outbox, Settings."""

from __future__ import annotations

from flask_admin import Admin

import web.admin.views.sqla_compat  # noqa: F401 - first: lets flask_admin.contrib.sqla import (see there)


def register_views(admin: Admin) -> None:
    # API blueprints own the plain names (cases, customers...): the panel's lists are admin_<area>, at
    # /admin/<area>/. Imported here, not at the top: the forms import ``views.base``, and importing a form module
    # first must not pull every view (and so that form module itself) in half-initialised.
    from projections import models
    from web.admin.views.cases import CasesView
    from web.admin.views.customers import CustomersView
    from web.admin.views.deals import DealsView
    from web.admin.views.imports import ImportCustomersView
    from web.admin.views.outbox import OutboxView
    from web.admin.views.pipeline import PipelineView
    from web.admin.views.policies import PoliciesView
    from web.admin.views.promises import PromisesView
    from web.admin.views.queues import MyOpenCases, OverduePromises, PromisesDueToday, RepeatContacts, UnassignedCases
    from web.admin.views.sla import SlaBreachesView, SlaOpenTargetsView
    from web.admin.views.tokens import TokensView
    from web.admin.views.touchpoints import TouchpointsView
    from web.admin.views.users import UsersView

    queue, sla, reports, settings = "My queue", "SLA", "Reports", "Settings"
    admin.add_view(MyOpenCases(models.Case, name="My open cases", endpoint="my_cases", category=queue))
    admin.add_view(UnassignedCases(models.Case, name="Unassigned cases by team", endpoint="unassigned_cases",
                                   category=queue))
    admin.add_view(PromisesDueToday(models.Promise, name="My promises due today", endpoint="promises_due_today",
                                    category=queue))
    admin.add_view(CustomersView(models.Customer, name="Customers", endpoint="admin_customers", url="customers"))
    admin.add_view(CasesView(models.Case, name="Cases", endpoint="admin_cases", url="cases"))
    admin.add_view(PromisesView(models.Promise, name="Promises", endpoint="admin_promises", url="promises"))
    admin.add_view(DealsView(models.Deal, name="Deals", endpoint="admin_deals", url="deals"))
    admin.add_view(TouchpointsView(models.Touchpoint, name="Touchpoints", endpoint="admin_touchpoints",
                                   url="touchpoints"))
    admin.add_view(SlaBreachesView(models.SlaTarget, name="Breaches", endpoint="sla_breaches", category=sla))
    admin.add_view(SlaOpenTargetsView(models.SlaTarget, name="Open targets (at risk first)", endpoint="sla_open",
                                      category=sla))
    admin.add_view(RepeatContacts(models.Touchpoint, name="Repeat contacts", endpoint="repeat_contacts",
                                  category=reports))
    admin.add_view(OverduePromises(models.Promise, name="Overdue promises", endpoint="overdue_promises",
                                   category=reports))
    admin.add_view(OutboxView(models.OutboxMessage, name="Outbox", endpoint="outbox"))
    admin.add_view(UsersView(models.User, name="Users", endpoint="users", category=settings))
    admin.add_view(TokensView(name="API tokens", endpoint="tokens", category=settings))
    admin.add_view(ImportCustomersView(name="Import customers", endpoint="import_customers",
                                       url="/admin/import/customers", category=settings))
    admin.add_view(PoliciesView(name="SLA policies", endpoint="sla_policies", category=settings))
    admin.add_view(PipelineView(name="Pipeline stages", endpoint="pipeline", category=settings))
