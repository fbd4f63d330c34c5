#!/usr/bin/env node
// The published entry point: a plain JS shim so that `npx jsplan` works after install without a build step.
// The build bundles the CLI into dist/cli/ (scripts/bundle-cli.mjs), which starts faster; without it (tsc
// alone), the compiled modules run as they are.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/cli/main.js", import.meta.url);
await import(existsSync(bundle) ? bundle.href : "../dist/src/cli/main.js");
