#!/usr/bin/env node
// The published entry point: a plain JS shim so that `npx jsplan` works after install without a build step.
import "../dist/src/cli/main.js";
