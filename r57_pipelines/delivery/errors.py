"""The one error type a bad delivery raises; it always names the file and the problem."""

from pathlib import Path


class DeliveryError(Exception):
    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")
