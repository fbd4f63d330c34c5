// The server's walk over mirrors and sources (nats-server reports "detected cycle" when it reaches a stream
// twice) shares its answers between streams so that long chains stay linear; it must report exactly what
// walking from every stream reports. The reference walk below is nats-server's checkStreamCfg loop, done
// from every stream with no sharing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Findings } from "../../src/load/semantic/report.js";
import { checkServerSourceWalk } from "../../src/load/semantic/source-walk.js";
import type { DesiredKv, DesiredStream } from "../../src/model/desired.js";
import type { StreamConfig } from "../../src/model/jetstream.js";
import { subjectsCollide } from "../../src/model/subjects.js";
import { fcParams } from "./support.js";

const origin = {
  pos: { file: "m.yaml", line: 1, column: 1 },
  fieldPos: () => ({ file: "m.yaml", line: 1, column: 1 }),
};

function stream(name: string, config: Omit<StreamConfig, "name">): DesiredStream {
  return {
    kind: "stream",
    address: `stream.${name}`,
    name,
    protect: false,
    config: { name, ...config },
    origin,
  } as unknown as DesiredStream;
}

/** nats-server's walk from one stream, over streams only: the name it reaches twice, if any. */
function reference(start: StreamConfig, byName: Map<string, StreamConfig>): string | undefined {
  const toVisit = [start];
  const visited = new Set<string>();
  while (toVisit.length > 0) {
    const cfg = toVisit.shift()!;
    visited.add(cfg.name);
    const subjects = cfg.subjects?.length
      ? cfg.subjects
      : cfg.mirror || cfg.sources?.length
        ? []
        : [cfg.name];
    for (const src of cfg.sources ?? []) {
      if (src.external) continue;
      if (visited.has(src.name)) {
        const filter = src.filter_subject;
        if (!filter || subjects.some((s) => subjectsCollide(s, filter))) return src.name;
      } else if (byName.has(src.name)) toVisit.push(byName.get(src.name)!);
    }
    const m = cfg.mirror;
    if (m && !m.external) {
      if (visited.has(m.name)) return m.name;
      if (byName.has(m.name)) toVisit.push(byName.get(m.name)!);
    }
  }
  return undefined;
}

const subjects = fc.constantFrom<string[] | undefined>(undefined, ["a.>"], ["b.*"], ["a.x", "c"]);
const filter = fc.constantFrom<string | undefined>(undefined, "a.x", "b.y", "z");
const graph = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.array(
    fc.record({
      subjects,
      mirror: fc.option(fc.integer({ min: 0, max: n }), { nil: undefined }),
      sources: fc.array(
        fc.record({
          to: fc.integer({ min: 0, max: n }),
          filter,
          external: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
    }),
    { minLength: n, maxLength: n },
  ),
);

interface Spec {
  subjects: string[] | undefined;
  mirror: number | undefined;
  sources: Array<{ to: number; filter: string | undefined; external: boolean }>;
}

function configs(spec: Spec[]): StreamConfig[] {
  return spec.map((s, i) => {
    const c: Record<string, unknown> = { name: `S${i}` };
    if (s.subjects) c.subjects = s.subjects;
    if (s.mirror !== undefined) c.mirror = { name: `S${s.mirror}` };
    else if (s.sources.length > 0)
      c.sources = s.sources.map((x) => ({
        name: `S${x.to}`,
        ...(x.filter ? { filter_subject: x.filter } : {}),
        ...(x.external ? { external: { api: "$JS.other.API" } } : {}),
      }));
    return c as unknown as StreamConfig;
  });
}

function walked(list: StreamConfig[]): Map<string, string> {
  const f = new Findings();
  checkServerSourceWalk(
    list.map(({ name, ...c }) => stream(name, c)),
    [] as DesiredKv[],
    f,
  );
  return new Map(f.list.map((d) => [(d.address ?? "").replace("stream.", ""), d.message]));
}

describe("the server's source walk, shared between streams", () => {
  it("reports what walking from every stream reports, on random graphs (cycles, diamonds, chains)", () => {
    fc.assert(
      fc.property(graph, (spec) => {
        const list = configs(spec);
        const byName = new Map(list.map((c) => [c.name, c]));
        const got = walked(list);
        for (const c of list) {
          if (!c.mirror && !c.sources?.length) continue;
          const again = reference(c, byName);
          const message = got.get(c.name);
          if (again === undefined)
            assert.equal(message, undefined, `${c.name}: no report expected\n${JSON.stringify(list)}`);
          else
            assert.match(
              message ?? "",
              new RegExp(`reaches ${again} twice`),
              `${c.name}\n${JSON.stringify(list)}`,
            );
        }
      }),
      fcParams(0.2),
    );
  });
});
