"""Kept so that code written for the flat layout (`riskengine.partition`) goes on working: the module is now
`riskengine.run.partition` (docs/architecture.md); this name is the same module object."""
import sys

import riskengine.run.partition as _module

sys.modules[__name__] = _module
