"""Compatibility shim: neural-tangents 0.6.5 imports names that newer jax releases moved
(`jax.core.*` -> `jax._src.core`, `jax.util` -> `jax._src.util`, ...). Import this module before
`neural_tangents`. Only the infinite-width `kernel_fn` of `stax` is used by our scripts, and the
shim only re-exposes jax's own objects under their old names (no numerics are changed)."""
import sys
import types

import jax
import jax.core
from jax._src import core as _core
from jax._src import util as _util

for _name in dir(_core):
    if not _name.startswith("__") and not hasattr(jax.core, _name):
        setattr(jax.core, _name, getattr(_core, _name))

if "jax.util" not in sys.modules:
    _m = types.ModuleType("jax.util")
    for _name in dir(_util):
        if not _name.startswith("__"):
            setattr(_m, _name, getattr(_util, _name))
    sys.modules["jax.util"] = _m
    jax.util = _m

# Primitives that newer jax removed; neural-tangents only uses them as dictionary keys of its
# empirical-kernel rules (never reached by the infinite-width kernel_fn).
import jax.interpreters.ad as _ad
for _name in ["zeros_like_p"]:
    if not hasattr(_ad, _name):
        setattr(_ad, _name, _core.Primitive(_name))

jax.config.update("jax_enable_x64", True)
