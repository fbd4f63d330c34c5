import { fileURLToPath } from "node:url";

/** The repository root (tests run from dist/test/, fixtures live in test/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/", import.meta.url));
export const MANIFEST_SCHEMA = fileURLToPath(
  new URL("../../../schemas/manifest.schema.json", import.meta.url),
);
