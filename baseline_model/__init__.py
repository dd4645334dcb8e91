"""Keras encoders, fusion and heads; train / evaluate / predict / export (issue 5)."""
