"""Version of the stalker package (stored in every entity row).

It is kept in the ``VERSION`` file beside this module, where packaging and
Stalker 1.x tools read it too.
"""

from pathlib import Path

__version__ = Path(__file__).with_name("VERSION").read_text(encoding="utf-8").strip()
