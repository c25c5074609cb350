class ParseError(Exception):
    """A file that cannot be read or parsed: message and 1-based position."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.col = max(1, col)


MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 200
MAX_NODES = 2_000_000

# Unsaved editor buffers, by absolute path: the language server lints what the user sees, not the disk.
OVERLAY: dict = {}


def read_text(path: str) -> str:
    """Read a file as UTF-8 within the size bound, or raise ParseError."""
    if OVERLAY:
        import os

        text = OVERLAY.get(os.path.abspath(path))
        if text is not None:
            if len(text) > MAX_BYTES:
                raise ParseError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
            return text
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ParseError(f"cannot read file: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise ParseError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:8192]:
        raise ParseError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ParseError(f"not valid UTF-8 (byte 0x{data[e.start]:02x})", line, col) from None
