"""Eval runs for course designers: a question set through the full answer pipeline, scored,
reported (console, JSON, one self-contained HTML file) and gated (``--fail-under``)."""
