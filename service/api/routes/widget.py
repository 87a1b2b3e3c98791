"""The widget's routes (`/`, `/widget.js`, `/widget/frame`) live with its assets in `service/widget/`."""

from service.widget.routes import router

__all__ = ["router"]
