"""Networks: the tenants of an installation, and agreements between them."""
