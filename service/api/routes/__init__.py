"""HTTP routes, one module per area; `service.api.app` includes each module's `router`."""
