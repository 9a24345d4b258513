"""One module per screen. A screen gets its model in its constructor and reports what the
user did through `Screen.acted`; the window turns that into flow events."""
