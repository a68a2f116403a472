#!/usr/bin/env python3
"""Django's manage.py; the ``cyberplan`` command does the same with a friendlier name."""

from cyberplan.cli import main

if __name__ == "__main__":
    main()
