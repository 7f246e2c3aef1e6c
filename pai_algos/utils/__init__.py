"""Utilities shared by estimators (validation helpers, scikit-learn compatibility)."""
