"""The engine's platform layer, chosen once at import.

``current`` is the :class:`~pylib.platform.base.Platform` of the host this process runs on:
:class:`~pylib.platform.pyodide.PyodidePlatform` in the browser (and in Pyodide under Node),
:class:`~pylib.platform.cpython.CPythonPlatform` everywhere else. Engine code calls
``platform.current.fetch(...)``, ``platform.current.aes_gcm_encrypt(...)`` and so on, and
never imports ``js`` or ``pyodide`` itself.
"""

from __future__ import annotations

import sys

from pylib.platform.base import Channel, Platform, Response, Store

IN_BROWSER = sys.platform == "emscripten"

if IN_BROWSER:
    from pylib.platform.pyodide import PyodidePlatform as _Host
else:
    from pylib.platform.cpython import CPythonPlatform as _Host

current: Platform = _Host()

__all__ = ["IN_BROWSER", "Channel", "Platform", "Response", "Store", "current"]
