"""The registry's models, one module per topic."""
