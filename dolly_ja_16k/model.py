"""The base of every value the build records (the manifest and the review's summary)."""

from __future__ import annotations

import msgspec


class Model(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Keyword-only fields; an unknown key is an error, so a damaged file is never half read."""
