"""Qt-free core of the discharge kiosk: domain, flow, storage, config, printing and CLI."""

__version__ = "0.1.0"
