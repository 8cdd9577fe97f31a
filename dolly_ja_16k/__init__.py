"""dolly-ja-16k: databricks-dolly-15k-ja as named parts, built, checked and published reproducibly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["DollyJa16k", "__version__", "load"]

if TYPE_CHECKING:
    from .builder import DollyJa16k


def load(config: str = "all", source: str = "dist/dolly-ja-16k", **kwargs: Any):
    """Load a config of a built folder or Hub repo with the package's own builder."""
    from .builder import load as _load

    return _load(config, source, **kwargs)


def __getattr__(name: str) -> Any:
    # The builder needs `datasets` (slow to import): only import it when asked for.
    if name == "DollyJa16k":
        from .builder import DollyJa16k

        return DollyJa16k
    raise AttributeError(name)
