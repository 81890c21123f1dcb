"""Where Stalker 1.x scripts import the two calls from.

``from stalker.db.setup import setup, init`` gives the same functions as
``from stalker import db; db.setup(); db.init()``, which stays the primary
spelling.
"""

from stalker.db import init, setup

__all__ = ["init", "setup"]
