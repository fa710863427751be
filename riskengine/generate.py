"""Kept so that code written for the flat layout (`riskengine.generate`) goes on working: the module is now
`riskengine.testing.generate` (docs/architecture.md); this name is the same module object."""
import sys

import riskengine.testing.generate as _module

sys.modules[__name__] = _module
