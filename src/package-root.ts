// Where jsplan's package lies (package.json, schemas/, dist/schema/). This module sits two folders below
// it (dist/src/package-root.js), as does the bundled CLI (dist/cli/*.js), so the one relative URL holds for
// both; files that need the root ask here rather than count folders from where they are.

export const PACKAGE_ROOT = new URL("../../", import.meta.url);
