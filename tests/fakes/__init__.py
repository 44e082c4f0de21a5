"""Local fake platform servers that speak the real wire formats."""
