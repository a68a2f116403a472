"""The plan side of a strategy on the web: the strategies, the lifecycle workspace, the structure
(principles, axes, objectives), the actions and their KPIs, and the traceability from gaps to actions.

:mod:`.views` holds the strategies and the workspace, :mod:`.structure_views` the plan's tree,
:mod:`.action_views` the actions, their gaps and KPIs; :mod:`.common` what those pages share.
"""
