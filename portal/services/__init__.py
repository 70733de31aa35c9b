"""Domain operations shared by views and CLI commands. Services own the commit."""
