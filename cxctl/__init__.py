"""cxctl: customer-service records kept as YAML files in git."""
__version__ = "0.1.0"
