"""Jupyter kernels over Unix sockets, where the platform and the path allow; else over local TCP.

Over local TCP a kernel is handed free ports and binds them a moment later: another process can take
one in between (a report's kernel "died before replying" so on a busy machine), and the ports answer
every local user. A Unix socket in a folder has neither problem. The report's kernel (``report``:
``kernel_manager_in``, in its own temporary folder) and the kernels of the servers ``aliexp lab`` and
``aliexp app`` start (``lab``: ``server_options``, in the folder the server keeps its kernels'
connection files in) use them. A socket's path is short (``SOCKET_PATH_BYTES``); where it would be
longer, or there are no Unix sockets (Windows), jupyter_client's local TCP is used as before.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The longest path of a Unix socket, on macOS (Linux allows 107) [bytes].
SOCKET_PATH_BYTES = 103
#: What a kernel of ``kernel_manager_in`` adds to its folder for one socket: "/kernel-<n>" [bytes].
FOLDER_SOCKET_BYTES = len("/kernel-") + 3
#: What a Jupyter server adds to its kernels' folder for one socket: "/kernel-<uuid>-ipc-<n>" [bytes].
SERVER_SOCKET_BYTES = len("/kernel-") + 36 + len("-ipc-") + 3
#: What Voilà adds to the folder it is given for its kernels: a folder of its own, "/voila_<8>" [bytes].
VOILA_FOLDER_BYTES = len("/voila_") + 8


def fits(folder: Path, name_bytes: int) -> bool:
    """Whether a Unix socket ``name_bytes`` long (its separator included) can be made in ``folder``.

    Examples
    --------
    >>> fits(Path("/tmp"), SERVER_SOCKET_BYTES) is (os.name == "posix"), fits(Path("/" + "x" * 60), SERVER_SOCKET_BYTES)
    (True, False)
    """
    return os.name == "posix" and len(os.fsencode(folder)) + name_bytes <= SOCKET_PATH_BYTES


def kernel_manager_in(folder: Path) -> type:
    """A kernel manager whose kernels talk over Unix sockets in ``folder`` (``kernel-<n>``), or
    jupyter_client's own, over local TCP, where they cannot (``fits``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> manager = kernel_manager_in(folder)(kernel_name="python3")
    >>> (manager.transport, Path(manager.ip).parent == folder) if os.name == "posix" else ("ipc", True)
    ('ipc', True)
    >>> kernel_manager_in(folder / ("x" * 120)).__name__  # too long a path for a socket: over TCP
    'AsyncKernelManager'
    """
    from jupyter_client.manager import AsyncKernelManager  # loads only with a report

    prefix = folder / "kernel"  # each socket is "kernel-<n>" here
    if not fits(folder, FOLDER_SOCKET_BYTES):
        return AsyncKernelManager

    class FolderSocketsKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(prefix), **kwargs)

    return FolderSocketsKernelManager


def server_options(folder: Path, name_bytes: int = SERVER_SOCKET_BYTES) -> list[str]:
    """The option that puts a Jupyter server's kernels on Unix sockets beside their connection files in
    ``folder`` (a socket ``name_bytes`` long there), or none (local TCP) where they do not fit.

    Examples
    --------
    >>> server_options(Path("/tmp")) if os.name == "posix" else ["--KernelManager.transport=ipc"]
    ['--KernelManager.transport=ipc']
    >>> server_options(Path("/tmp"), name_bytes=SOCKET_PATH_BYTES)
    []
    """
    return ["--KernelManager.transport=ipc"] if fits(folder, name_bytes) else []


__all__ = ["SOCKET_PATH_BYTES", "fits", "kernel_manager_in", "server_options"]
