"""The routes, one module per context; each route calls one use case (docs/api.md)."""
