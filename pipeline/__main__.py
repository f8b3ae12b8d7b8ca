from pipeline.afterwards import leave
from pipeline.cli import main

# leave() skips the interpreter's teardown (seconds after a load), doing what of it matters
leave(main())
