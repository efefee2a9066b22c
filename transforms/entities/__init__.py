"""Entity resolution and linking, quotes and time expressions (pure Polars transforms).

* :func:`resolve` — mentions → ``entity_id`` + entities (key, canonical name, place links);
* :func:`merge_entities` — cross-document merges over the whole entity table;
* :func:`corpus_resolution` — every mention's entity decided over the whole warehouse
  (clitics, labels, places, people, stop list) and the redirects of ids;
* :func:`quotes` — direct quotes with speaker and reporting verb;
* :func:`time_expressions` — explicit and relative dates resolved against ``published_at``.
"""
from transforms.entities.key import entity_key, key_of
from transforms.entities.resolve import resolve

__all__ = ["entity_key", "key_of", "resolve"]

try:  # modules land one by one; keep the package importable meanwhile
    from transforms.entities.merge import merge_entities  # noqa: F401
    __all__.append("merge_entities")
except ImportError:  # pragma: no cover
    pass
try:
    from transforms.entities.redirects import corpus_resolution  # noqa: F401
    __all__.append("corpus_resolution")
except ImportError:  # pragma: no cover
    pass
try:
    from transforms.entities.quotes import quotes  # noqa: F401
    __all__.append("quotes")
except ImportError:  # pragma: no cover
    pass
try:
    from transforms.entities.timex import time_expressions  # noqa: F401
    __all__.append("time_expressions")
except ImportError:  # pragma: no cover
    pass
