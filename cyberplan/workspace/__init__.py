"""The workspace: the pages and tools that bring every domain together.

The overview page, the demo workspace and the audit log export live here because they read or
build the records of several domains (gaps, jobs, threats, assessment, strategy). This app may
import every other app; no other app imports it, so ``core`` stays the foundation the domains
stand on.
"""
