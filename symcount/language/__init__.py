"""The language: text to syntax tree, and the values a program computes with."""
