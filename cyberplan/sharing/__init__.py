"""Sharing network: sharing groups, collections of STIX 2.1 objects served over TAXII 2.1, partner credentials.

What leaves the organisation is decided by the one release rule (``cyberplan.core.release``).
"""
