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

def read_text(path: str) -> str:
    """Read a file as UTF-8 within the size bound, or raise ParseError. An editor's unsaved text of the file
    (the session's overlay) is read instead of the disk."""
    from pullcheck.sources.session import current

    session = current()
    if session.overlay:
        import os

        text = session.overlay.get(os.path.abspath(path))
        if text is not None:
            if len(text) > MAX_BYTES:
                raise ParseError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
            return text
    import os
    import stat

    session.read.add(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; only a regular file is read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise ParseError(f"cannot read file: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a file")
            raise ParseError(f"not a regular file ({kind}): not read")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ParseError(f"cannot read file: {e.strerror or e}") from None
    finally:
        if fd >= 0:
            os.close(fd)
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
