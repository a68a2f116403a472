"""URL patterns of the plan side of the strategy app; assembled in the strategy app's urls.py.

The plan side: strategies, the lifecycle workspace, the structure, actions, KPIs and traceability.
"""

from django.urls import URLPattern, path

from . import action_views, budget_views, element_kpi_views, structure_views, views

urlpatterns: list[URLPattern] = [
    path("", views.strategy_list, name="strategy_list"),
    path("new/", views.strategy_create, name="strategy_create"),
    path("<int:pk>/", views.workspace, name="workspace"),
    # The same page under the name other areas may expect for "the strategy's page".
    path("<int:pk>/", views.workspace, name="strategy_detail"),
    path("<int:pk>/edit/", views.strategy_edit, name="strategy_edit"),
    path("<int:pk>/phase/", views.set_phase, name="set_phase"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/plan/", structure_views.plan, name="plan"),
    path("<int:pk>/plan/principles/new/", structure_views.principle_create, name="principle_create"),
    path("<int:pk>/plan/principles/<int:principle_pk>/edit/", structure_views.principle_edit, name="principle_edit"),
    path(
        "<int:pk>/plan/principles/<int:principle_pk>/delete/", structure_views.principle_delete, name="principle_delete"
    ),
    path("<int:pk>/plan/elements/new/", structure_views.element_create, name="element_create"),
    path("<int:pk>/plan/elements/<int:element_pk>/edit/", structure_views.element_edit, name="element_edit"),
    path("<int:pk>/plan/elements/<int:element_pk>/delete/", structure_views.element_delete, name="element_delete"),
    path(
        "<int:pk>/plan/elements/<int:element_pk>/kpis/new/",
        element_kpi_views.element_kpi_create,
        name="element_kpi_create",
    ),
    path(
        "<int:pk>/plan/elements/<int:element_pk>/kpis/<int:kpi_pk>/edit/",
        element_kpi_views.element_kpi_edit,
        name="element_kpi_edit",
    ),
    path(
        "<int:pk>/plan/elements/<int:element_pk>/kpis/<int:kpi_pk>/delete/",
        element_kpi_views.element_kpi_delete,
        name="element_kpi_delete",
    ),
    path("<int:pk>/actions/new/", action_views.action_create, name="action_create"),
    path("<int:pk>/actions/<int:action_pk>/", action_views.action_detail, name="action_detail"),
    path("<int:pk>/actions/<int:action_pk>/edit/", action_views.action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:action_pk>/delete/", action_views.action_delete, name="action_delete"),
    path("<int:pk>/actions/<int:action_pk>/gaps/", action_views.gap_link, name="gap_link"),
    path("<int:pk>/actions/<int:action_pk>/gaps/<int:gap_pk>/unlink/", action_views.gap_unlink, name="gap_unlink"),
    path("<int:pk>/actions/<int:action_pk>/kpis/new/", action_views.kpi_create, name="kpi_create"),
    path("<int:pk>/actions/<int:action_pk>/kpis/<int:kpi_pk>/edit/", action_views.kpi_edit, name="kpi_edit"),
    path("<int:pk>/actions/<int:action_pk>/kpis/<int:kpi_pk>/delete/", action_views.kpi_delete, name="kpi_delete"),
    path("<int:pk>/actions/<int:action_pk>/budget/new/", budget_views.budget_line_create, name="budget_line_create"),
    path(
        "<int:pk>/actions/<int:action_pk>/budget/<int:line_pk>/edit/",
        budget_views.budget_line_edit,
        name="budget_line_edit",
    ),
    path(
        "<int:pk>/actions/<int:action_pk>/budget/<int:line_pk>/delete/",
        budget_views.budget_line_delete,
        name="budget_line_delete",
    ),
    path("<int:pk>/budget/", budget_views.budget_settings, name="budget"),
    path("<int:pk>/budget/currency/", budget_views.plan_currency, name="plan_currency"),
    path("<int:pk>/budget/rates/new/", budget_views.rate_create, name="rate_create"),
    path("<int:pk>/budget/rates/<int:rate_pk>/delete/", budget_views.rate_delete, name="rate_delete"),
    path("<int:pk>/traceability/", action_views.traceability_view, name="traceability"),
    path("gaps/<int:gap_pk>/actions/", action_views.gap_actions, name="gap_actions"),
]
