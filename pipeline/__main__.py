import atexit
import os
import sys
import threading

from pipeline.cli import main

code = main()
# A load leaves ~440,000 objects behind (Dagster, dbt, pandas); the interpreter's teardown frees
# them one by one, 1.5-1.7 s after the summary is printed (measured on the benchmark's loads), for
# nothing: every file, connection and lock is closed by now. So do what the teardown does that
# matters (wait for threads, run the exit handlers: logging, temporary folders, child processes,
# flush the output) and leave without it.
getattr(threading, "_shutdown", lambda: None)()   # joins non-daemon threads, runs their exit hooks
atexit._run_exitfuncs()
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except (OSError, ValueError):   # a reader that went away, a closed stream: nothing left to say
        pass
os._exit(code or 0)
