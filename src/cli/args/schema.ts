import type { CommandSpec } from "./command.js";

export const schemaSpec: CommandSpec = {
  command: "schema",
  describe: "Print the JSON Schema of manifests (or of plan JSON), for editors and other tools",
  builder: (y) =>
    y
      .option("plan", {
        type: "boolean",
        default: false,
        describe: "Print the schema of `plan --format json` instead",
      })
      .example("$0 schema > manifest.schema.json", "For an editor or a CI linter")
      .example("$0 schema --plan", "The plan JSON format"),
  run: async (args, io) => {
    const { readFile } = await import("node:fs/promises");
    const { PACKAGE_ROOT } = await import("../../package-root.js");
    const file = new URL(`schemas/${args.plan ? "plan" : "manifest"}.schema.json`, PACKAGE_ROOT);
    io.stdout.write(await readFile(file, "utf8"));
    return 0;
  },
};
