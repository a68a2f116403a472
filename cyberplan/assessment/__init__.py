"""The national capacity maturity assessment, free of Django: framework files, scoring rules,
crosswalks to other frameworks and published peer-benchmark figures.

Frameworks are versioned YAML data under ``frameworks/``; Django (the future ``assessment``
app) loads them through this package and never the other way round. See
docs/reference/capacity-model.md.
"""
