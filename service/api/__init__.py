"""The HTTP service: `create_app()` in `service.api.app`."""
