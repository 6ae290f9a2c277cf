#!/usr/bin/env bash
# The main job on the embedded default: install, provision the model, index the sample
# corpus, then serve the assistant and open its demo course page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export MENTOR_DEMO=1
.venv/bin/mentor-assistant models fetch
.venv/bin/mentor-assistant ingest
exec .venv/bin/mentor-assistant serve --open
