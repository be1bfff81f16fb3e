"""Evaluation: the syntax tree walked into rows and a graph."""
