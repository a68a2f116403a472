"""A small OpenID Connect provider for the single sign-on tests: a Django project of its own on
django-oauth-toolkit, run as a separate process on the loopback address (see ``serve.py``)."""
