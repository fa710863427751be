"""Rule tests (`riskengine test`) and the case generator."""
