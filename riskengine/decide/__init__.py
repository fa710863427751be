"""From fired rules to advice: policy (precedence, escalation, channels), profile and script, clocks."""
