"""Quire's engine: one SQLite workspace file, plain Python, runs in CPython and in Pyodide.

The UI talks only to :mod:`pylib.api`; the other modules are the nouns it is built from
(``db``, ``migrations``, ``artifacts``, ``folders``, ``versions``, ``trash``, ``activity``,
``storage``, ``tasks``, ``citations``).
"""

__version__ = "0.1.0"
