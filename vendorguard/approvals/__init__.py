"""One approval workflow for every kind of arrangement that needs the security office's decision."""
