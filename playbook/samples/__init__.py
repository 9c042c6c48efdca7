"""The sample companies for workshops and tests (`companies`), drawn table by table (`tables`)."""
