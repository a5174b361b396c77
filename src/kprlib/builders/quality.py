"""The data-quality tables (SPEC section 5, Q1-Q13) as published tables of the book."""
