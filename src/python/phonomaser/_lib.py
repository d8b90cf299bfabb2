"""The C library through cffi in ABI mode (no compiler at import).

The declarations are read from the handle API's header (api/handle.h, the
part between its cdef markers), shipped next to this file; the library path
comes from _paths.py, which meson writes into the build-tree copy of the
package and into the installed one (PHONOMASER_LIBRARY overrides it).

Calls: `call(fn, control)` runs a C function in a worker thread while the
calling (main) thread waits, so that Ctrl-C raises KeyboardInterrupt in the
main thread even while C works: the handler then sets the call's stop flag
(pm_api_control_stop, an atomic store), the C call returns PM_EINTERRUPT at
its next check, and `Interrupted` (a KeyboardInterrupt) is raised with the
partial result in `.partial`.  cffi releases the GIL during every C call,
so other Python threads run meanwhile; from a thread other than the main
one the call runs directly (signals reach only the main thread)."""

import os
import re
import threading

import cffi

_HERE = os.path.dirname(os.path.abspath(__file__))

# status codes of phonomaser/core/error.h
OK, EINVAL, ENOMEM, ESOLVER, EIO, EINTERRUPT, ESYMMETRY, ENUMERIC = range(8)


class PhonomaserError(RuntimeError):
    """A library failure; str() is the library's one-line message, .status its code."""

    def __init__(self, message, status=ESOLVER):
        super().__init__(message)
        self.status = status


class InvalidInput(PhonomaserError, ValueError):
    """Invalid input: a key, a value, an operator, a state (PM_EINVAL, PM_ESYMMETRY)."""


class OutOfMemory(PhonomaserError, MemoryError):
    """The run would not fit (the message names the estimate and a remedy)."""


class FileError(PhonomaserError, OSError):
    """A file could not be read or written."""


class NumericError(PhonomaserError, ArithmeticError):
    """A NaN/Inf or a failed health check in a result."""


class Interrupted(KeyboardInterrupt):
    """Stopped by Ctrl-C (or the stop flag); .partial holds what was computed
    (a Result, or None), .message the library's line."""

    def __init__(self, message, partial=None):
        super().__init__(message)
        self.message = message
        self.partial = partial


_ERRORS = {EINVAL: InvalidInput, ESYMMETRY: InvalidInput, ENOMEM: OutOfMemory, EIO: FileError,
           ENUMERIC: NumericError}


def _declarations():
    with open(os.path.join(_HERE, "handle.h"), encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"/\* cdef-begin \*/(.*)/\* cdef-end \*/", text, re.S)
    if not match:
        raise ImportError(f"{_HERE}/handle.h has no cdef block")
    body = re.sub(r"/\*.*?\*/", "", match.group(1), flags=re.S)
    return ("typedef int pm_status;\n"
            "typedef void (*pm_progress_fn)(void *user, double fraction, const char *detail, int done);\n"
            "const char *pm_error_message(void);\n"
            "const char *pm_version(void);\n" + body)


def _library_path():
    path = os.environ.get("PHONOMASER_LIBRARY")
    if path:
        return path
    try:
        from . import _paths
    except ImportError as error:
        raise ImportError("phonomaser: no _paths.py next to the package (use the copy meson builds into "
                          "build/src/python, or set PHONOMASER_LIBRARY to libphonomaser.so)") from error
    return _paths.LIBRARY


ffi = cffi.FFI()
ffi.cdef(_declarations())
LIBRARY_PATH = _library_path()
lib = ffi.dlopen(LIBRARY_PATH)


def message():
    """The last library message of this thread."""
    return ffi.string(lib.pm_error_message()).decode("utf-8", errors="replace")


def check(status):
    """Raise the exception of a failed status (with this thread's message)."""
    if status != OK:
        text = message()
        if status == EINTERRUPT:
            raise Interrupted(text)
        raise _ERRORS.get(status, PhonomaserError)(text, status)


class Control:
    """The stop flag and progress callback of one call (pm_api_control)."""

    def __init__(self, progress=None):
        out = ffi.new("pm_api_control **")
        check(lib.pm_api_control_new(out))
        self.handle = ffi.gc(out[0], lib.pm_api_control_free)
        self._callback = None
        self._report = _progress_reporter(progress)
        if self._report is not None:
            report = self._report

            @ffi.callback("void(void *, double, const char *, int)")
            def callback(user, fraction, detail, done):
                try:
                    report(fraction, ffi.string(detail).decode() if detail != ffi.NULL else "", bool(done))
                except Exception:  # a failing progress display must not break the solve
                    pass

            self._callback = callback
            lib.pm_api_control_set_progress(self.handle, callback, ffi.NULL)

    def stop(self):
        lib.pm_api_control_stop(self.handle)

    def close(self):
        if self._report is not None and hasattr(self._report, "close"):
            self._report.close()


class _Tqdm:
    """A tqdm bar driven by the library's progress reports (fraction 0..1)."""

    def __init__(self):
        import tqdm

        self.bar = tqdm.tqdm(total=1000, unit="‰", leave=False)

    def __call__(self, fraction, detail, done):
        self.bar.n = int(round(1000 * fraction))
        self.bar.set_postfix_str(detail, refresh=False)
        self.bar.refresh()

    def close(self):
        self.bar.close()


def _progress_reporter(progress):
    """progress: None/False (nothing), True (a tqdm bar if tqdm is installed,
    else nothing) or a callable(fraction, detail, done)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            return _Tqdm()
        except ImportError:
            return None
    if not callable(progress):
        raise TypeError("progress must be None, True or a callable(fraction, detail, done)")
    return progress


def call(function, control):
    """Run function() -> (status, result handle or None, message) (it calls C
    and reads the message in the same thread); returns the result handle or
    raises.  Interrupted carries the partial result handle in .partial."""
    outcome = {}
    finished = threading.Event()

    def work():
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error
        finally:
            finished.set()

    interrupted = False
    try:
        if threading.current_thread() is threading.main_thread():
            worker = threading.Thread(target=work, name="phonomaser", daemon=True)
            worker.start()
            # wait on an Event, not on join(): a KeyboardInterrupt inside
            # Thread.join() can leave the thread marked as ended (CPython 3.11)
            while not finished.is_set():
                try:
                    finished.wait(0.05)
                except KeyboardInterrupt:
                    if interrupted:  # a second Ctrl-C while stopping: wait anyway
                        continue
                    interrupted = True
                    control.stop()
        else:
            work()
    finally:
        control.close()
    if "error" in outcome:
        raise outcome["error"]
    status, handle, text = outcome["value"]
    if status == EINTERRUPT:
        raise Interrupted(text, handle)
    if status == OK and interrupted:  # Ctrl-C came as the call finished: still a stop
        raise Interrupted("interrupted (the call had completed: .partial is its whole result)", handle)
    if status != OK:
        raise _ERRORS.get(status, PhonomaserError)(text, status)
    return handle
