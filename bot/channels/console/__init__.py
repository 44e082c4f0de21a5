"""The console channel: a credential-free channel for the demo and for scripted conversations."""
