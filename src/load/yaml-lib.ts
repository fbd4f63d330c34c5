// The `yaml` library, loaded on first use: most manifests are read by the js-yaml fast path alone, and
// loading `yaml` costs about a fifth of `jsplan validate`'s start-up. It is a CommonJS package, so a
// synchronous require gives the same module that `import "yaml"` would.

import { createRequire } from "node:module";

type YamlLib = typeof import("yaml");

let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)("yaml") as YamlLib;
  return lib;
}
