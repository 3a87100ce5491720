"""Run after keplerlab_kernel.setup_matplotlib() (host tests and the browser runtime):
every Artist's set() docstring and kwdoc read as matplotlib writes them without the
kernel's parse-once, and the parse-once was installed. Prints the number of classes."""

import matplotlib.artist as ma
import matplotlib.axes  # noqa: F401
import matplotlib.pyplot  # noqa: F401
from matplotlib import _api

memo = ma.ArtistInspector.get_valid_values
assert hasattr(memo, "__wrapped__"), "parse-once not installed"
classes = sorted(_api.recursive_subclasses(ma.Artist), key=lambda c: c.__module__ + c.__qualname__)
kept = [(c.set.__doc__, ma.kwdoc(c)) for c in classes]
ma.ArtistInspector.get_valid_values = memo.__wrapped__
try:
    prefix = "Set multiple properties at once.\n\nSupported properties are\n\n"
    for c, (set_doc, doc) in zip(classes, kept, strict=True):
        fresh = ma.kwdoc(c)
        assert doc == fresh, f"{c.__qualname__}: kwdoc differs"
        if set_doc.startswith(prefix) and "unknown" not in set_doc:
            assert set_doc == prefix + fresh, f"{c.__qualname__}: set() docstring differs"
finally:
    ma.ArtistInspector.get_valid_values = memo
print(len(classes), "classes")
