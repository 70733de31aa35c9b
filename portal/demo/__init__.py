"""The demo archive (placeholder until the loader lands)."""


def load_demo(if_empty: bool = False, echo=print) -> None:
    raise NotImplementedError
