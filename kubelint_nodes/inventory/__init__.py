"""Node inventory: the resolved model (model.py) and the loader of SPEC §5 (load.py)."""
