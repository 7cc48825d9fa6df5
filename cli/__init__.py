"""The command line (`starter.py`): argparse, terminal views and the CLI's texts."""
