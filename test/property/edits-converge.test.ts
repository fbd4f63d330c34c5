// Property 2 (issue 7): on every supported server line, random edits of an applied manifest apply cleanly
// and converge, and every change jsplan classifies as an in-place update is one the server accepts as an
// update.
//
// For each case: apply a random manifest; then, for each of one to three random edits (fields changed,
// consumers and streams added, removed or swapped for different ones, kinds changed; see generators.ts
// editArb):
// - `jsplan plan --out` saves the plan, `jsplan apply --plan --allow-destroy` carries out exactly that plan,
//   and `jsplan plan` is then empty. An update step the server refuses is reported as a misclassification
//   (jsplan should have planned a replace, or refused the manifest).
// - Then some streams are sealed, in a separate apply (a stream can only be sealed once it exists): that
//   plan must consist of in-place updates of exactly those streams, and converge too.
// A sealed stream stays sealed in later edits or is unsealed (which replaces it). When an edit replaces a
// stream that stays sealed, jsplan must refuse the plan (a replacement cannot be created sealed); the test
// checks that refusal and goes on without sealed for those streams.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import fc from "fast-check";
import type { SavedPlan } from "../../src/model/plan.js";
import { connectTo, keepLogs, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { planOf } from "../support/jsplan.js";
import {
  applyEdit,
  editArb,
  featuresOf,
  foreignStream,
  manifestArb,
  namesOf,
  type Obj,
  streamName,
  toManifest,
} from "./generators.js";
import {
  type ApplyRun,
  applySaved,
  applyText,
  assertApplied,
  assertLoads,
  assertNoChanges,
  type CaseContext,
  createStream,
  describeApply,
  describePlan,
  RUNS,
  runProperty,
  savePlan,
  thenClean,
  timeoutFor,
  withTempDir,
  yamlOf,
} from "./support.js";

/** Update steps the server refused: jsplan said "in place", the server said no. */
function refusedUpdates(plan: SavedPlan, run: ApplyRun): string[] {
  const out: string[] = [];
  for (const r of run.result?.results ?? []) {
    if (r.action !== "update" || r.status !== "failed") continue;
    const change = plan.changes.find((c) => c.address === r.address);
    const fields = change?.diff.map(
      (d) => `${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`,
    );
    out.push(
      `${r.address}: ${r.error?.code ?? ""} ${r.error?.description ?? ""} [fields: ${fields?.join("; ")}]`,
    );
  }
  return out;
}

function streamsOf(m: Obj): Obj[] {
  return (m.streams as Obj[] | undefined) ?? [];
}

function withSealed(m: Obj, names: ReadonlySet<string>, sealed: boolean): Obj {
  return {
    ...m,
    ...(m.streams
      ? {
          streams: streamsOf(m).map((s) => {
            if (!names.has(s.name as string)) return s;
            const { sealed: _, ...rest } = s;
            return sealed ? { ...rest, sealed: true } : rest;
          }),
        }
      : {}),
  };
}

const LIMITS_ORDER =
  /consumer\.\S+\s+.* so it must change first, but its new settings exceed the stream's current consumer_limits/;
// Before nats-server 2.14, a mirror or source of a work-queue stream holds a consumer that the work-queue
// rules count (src/plan/workqueue-origins.ts); and the consumer that a mirror or source holds on its origin
// stands in the way of stricter consumer_limits on that origin (src/plan/origin-limits.ts, 10069).
const WQ_ORIGIN =
  /consumer\.\S+\s+on nats-server \S+ the (mirror|source) of work-queue stream|stream\.\S+\s+.*(mirrors or sources|mirror or source) this stream through a consumer of the server's own/;
const SEALED_CREATE = /stream\.(\S+)\s+this change replaces the stream .*a stream cannot be created sealed/;

type Steps = Record<"create" | "update" | "replace" | "delete", number>;

/**
 * Plans `m`, applies exactly that plan, and checks: no update refused, every step succeeded without silent
 * adjustments, and the next plan is empty. Returns the plan.
 */
async function converge(url: string, m: Obj, label: string, dir: string, ctx: CaseContext, steps: Steps) {
  const text = yamlOf(m);
  ctx.record(label, text);
  assertLoads(text);
  const saved = await savePlan(url, text, dir);
  assert.ok(saved.ok, `${label}: plan failed: ${saved.ok ? "" : saved.output}`);
  ctx.record(`plan of ${label}`, describePlan(saved.plan));
  const run = await applySaved(url, saved.file);
  const refused = refusedUpdates(saved.plan, run);
  assert.deepEqual(
    refused,
    [],
    `${label}: jsplan planned these as in-place updates, and the server refused them:\n${refused.join("\n")}\n${describeApply(run)}`,
  );
  assertApplied(run, `apply of ${label}`);
  assertNoChanges(await planOf(url, text), `plan after ${label}`);
  for (const c of saved.plan.changes) if (c.action !== "no-op") steps[c.action]++;
  return saved.plan;
}

for (const line of serverLines()) {
  describe(`nats-server ${line}: random edits of an applied manifest converge`, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });

    it(`${RUNS} random manifests, each edited 1-3 times: plan, apply the saved plan, plan is empty; updates are accepted as updates`, {
      timeout: timeoutFor(4000),
    }, async (t) => {
      const features = featuresOf(server.version);
      const arb = fc.record({
        base: manifestArb(features),
        edits: fc.array(editArb(features), { minLength: 1, maxLength: 3 }),
      });
      const steps: Steps = { create: 0, update: 0, replace: 0, delete: 0 };
      let seals = 0;
      const refusals = { sealedReplace: 0, limitsOrder: 0, workQueueOrigin: 0 };
      const { cases } = await runProperty(
        arb,
        async ({ base, edits }, ctx) => {
          const names = namesOf(ctx.caseNo);
          const first = yamlOf(toManifest(base, features, ctx.caseNo));
          ctx.record("manifest 0 (applied first)", first);
          assertLoads(first);
          await thenClean(nc, () =>
            withTempDir(async (dir) => {
              await createStream(nc, foreignStream(ctx.caseNo));
              assertApplied(await applyText(server.url, first), "apply of manifest 0");
              let gen = base;
              let sealed = new Set<string>();
              for (const [i, edit] of edits.entries()) {
                const previous = gen;
                gen = applyEdit(gen, edit);
                // Streams sealed before stay sealed where the edit says so.
                const keep = new Set(
                  [...sealed].filter((name) =>
                    edit.keepSealed.some((k, slot) => k && streamName(names, slot) === name),
                  ),
                );
                let m = withSealed(toManifest(gen, features, ctx.caseNo), keep, true);
                const text = yamlOf(m);
                const trial = await savePlan(server.url, text, dir);
                if (!trial.ok) {
                  // The acceptable refusals: a stream that stays sealed would be replaced; a consumer would
                  // have to change both before and after its stream's new consumer_limits; a consumer that a
                  // mirror or source of its work-queue stream stands in the way of (before 2.14).
                  const errors = trial.output
                    .split("\n")
                    .filter((l) => /^\S+:\d+:\d+ /.test(l) && !/ warning: /.test(l));
                  const skip = (l: string) => LIMITS_ORDER.test(l) || WQ_ORIGIN.test(l);
                  const limits = errors.filter((l) => LIMITS_ORDER.test(l));
                  const origins = errors.filter((l) => WQ_ORIGIN.test(l));
                  const refused = new Set(
                    errors.filter((l) => !skip(l)).map((l) => SEALED_CREATE.exec(l)?.[1]),
                  );
                  ctx.record(`manifest ${i + 1} (edit ${i + 1}, refused)`, text);
                  assert.ok(
                    errors.length > 0 && [...refused].every((n) => n !== undefined && keep.has(n)),
                    `edit ${i + 1}: plan failed:\n${trial.output}`,
                  );
                  if (limits.length > 0 || origins.length > 0) {
                    // A transition that takes two applies, or one the server refuses: this edit is skipped.
                    if (limits.length > 0) refusals.limitsOrder++;
                    if (origins.length > 0) refusals.workQueueOrigin++;
                    gen = previous;
                    continue;
                  }
                  refusals.sealedReplace++;
                  m = withSealed(m, refused as Set<string>, false);
                  // With the seals lifted, the plan can meet the refusals that the sealed-create errors hid.
                  const retrial = await savePlan(server.url, yamlOf(m), dir);
                  if (!retrial.ok && (LIMITS_ORDER.test(retrial.output) || WQ_ORIGIN.test(retrial.output))) {
                    ctx.record(`manifest ${i + 1} (edit ${i + 1}, unsealed, refused)`, yamlOf(m));
                    if (LIMITS_ORDER.test(retrial.output)) refusals.limitsOrder++;
                    else refusals.workQueueOrigin++;
                    gen = previous;
                    continue;
                  }
                }
                await converge(server.url, m, `manifest ${i + 1} (edit ${i + 1})`, dir, ctx, steps);
                sealed = new Set(
                  streamsOf(m)
                    .filter((s) => s.sealed)
                    .map((s) => s.name as string),
                );

                // Sealing existing streams: in-place updates of those streams only.
                const toSeal = new Set(
                  edit.seal
                    .map((slot) => streamName(names, slot))
                    .filter((name) => streamsOf(m).some((s) => s.name === name) && !sealed.has(name)),
                );
                if (toSeal.size > 0) {
                  const s = withSealed(m, toSeal, true);
                  const plan = await converge(server.url, s, `manifest ${i + 1}, sealed`, dir, ctx, steps);
                  const acting = plan.changes.filter((c) => c.action !== "no-op");
                  assert.deepEqual(
                    acting.map((c) => `${c.action} ${c.address}`).sort(),
                    [...toSeal].map((n) => `update stream.${n}`).sort(),
                    `sealing should update exactly the sealed streams:\n${describePlan(plan)}`,
                  );
                  seals += toSeal.size;
                  sealed = new Set([...sealed, ...toSeal]);
                }
              }
            }),
          );
        },
        {
          onFailure: () => keepLogs(t, server),
          replay: { line, file: "dist/test/property/edits-converge.test.js" },
        },
      );
      t.diagnostic(
        `${cases} cases on nats-server ${server.version}; steps applied: ${JSON.stringify(steps)}, streams sealed: ${seals}; plans refused as expected: ${JSON.stringify(refusals)}`,
      );
    });
  });
}
