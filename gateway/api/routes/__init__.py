"""One module per resource; `gateway.api.app` mounts them."""
