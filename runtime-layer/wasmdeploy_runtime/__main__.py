"""`python -m wasmdeploy_runtime`: the custom runtime's Runtime API loop."""

import sys

from wasmdeploy_runtime.loop import main

sys.exit(main())
