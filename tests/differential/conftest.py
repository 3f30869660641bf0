"""The differential suite imports its own modules (``harness``, ``opinfo``) by name."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
