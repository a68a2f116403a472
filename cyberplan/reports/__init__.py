"""Reports: the scaffolding every report-producing capability shares.

A domain app (trends, assessment, strategy, ...) decides what its report *says*: it builds the
content from its data in the active language. This app holds everything else, once:

* :mod:`.document`: the blocks a report is made of (paragraph, table, chart, section) and
  :func:`.document.clean`;
* :mod:`.marking`: the TLP marking and its colours;
* :mod:`.charts` and :mod:`.svg`: Vega-Lite charts drawn as SVG and PNG, and SVG made safe for a page;
* :mod:`.html` and :mod:`.docx`: the pieces of the HTML, PDF and DOCX renderers;
* :mod:`.service`: formats, languages and :class:`.service.Produced`, the file a report becomes;
* :mod:`.jobs` and :mod:`.views`: running a report as a background job and asking for one on a page;
* :mod:`.registry` and the ``report`` management command: ``cyberplan report KIND ...``.

This app imports no domain app: the domains import it and register their kinds with it.
"""
