"""Kept so that code written for the flat layout (`riskengine.batch`) goes on working: the module is now
`riskengine.run.batch` (docs/architecture.md); this name is the same module object."""
import sys

import riskengine.run.batch as _module

sys.modules[__name__] = _module
