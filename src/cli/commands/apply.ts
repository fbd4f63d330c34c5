// `jsplan apply [PATH...]` and `jsplan apply --plan FILE`: carry out a plan, after the safety gates, and
// report every step.

import { readFile } from "node:fs/promises";
import { executePlan } from "../../apply/execute.js";
import { gateProblems } from "../../apply/gates.js";
import type { ApplyResult } from "../../apply/result.js";
import { JetStreamWriter } from "../../apply/writer.js";
import type { Session } from "../../connection/session.js";
import { formatPath } from "../../model/field-path.js";
import type { ConsumerConfig, StreamConfig } from "../../model/jetstream.js";
import type { ObservedState } from "../../model/observed.js";
import type { Plan, SavedPlan } from "../../model/plan.js";
import { parseVersion } from "../../model/version.js";
import { canonicalConsumer } from "../../plan/canonical-consumer.js";
import { canonicalStream } from "../../plan/canonical-stream.js";
import { diffConfigs } from "../../plan/field-diff.js";
import { fingerprintAt } from "../../plan/fingerprint.js";
import type { Style } from "../../render/style.js";
import { renderPlanText } from "../../render/text.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { computePlan, connectOrExit, observeOrExit, type PlanningArgs } from "../planning.js";
import { progressFor } from "../progress.js";

export interface ApplyArgs extends PlanningArgs {
  readonly planFile?: string;
  readonly autoApprove: boolean;
  readonly allowDestroy: boolean;
  readonly concurrency: number;
  readonly format: "text" | "json";
  readonly quiet: boolean;
}

export async function applyCommand(args: ApplyArgs, io: CliIO, style: Style): Promise<number> {
  let plan: Plan;
  let session: Session;
  let observed: ObservedState;
  if (args.planFile) {
    const saved = await readSavedPlan(args.planFile);
    session = await connectOrExit(args.connection, io);
    try {
      observed = await observeOrExit(session);
      checkStale(saved, observed, args.planFile);
    } catch (err) {
      await session.close();
      throw err;
    }
    plan = saved;
  } else {
    const planned = await computePlan(args, io, style);
    plan = planned.plan;
    session = planned.session;
    observed = planned.observed;
  }

  try {
    if (args.format === "text" && !args.quiet) io.stdout.write(renderPlanText(plan, style));
    if (plan.steps.length === 0) {
      if (args.format === "json")
        io.stdout.write(`${JSON.stringify(resultJson(plan, emptyResult()), null, 2)}\n`);
      return 0;
    }
    const problems = gateProblems(plan, { allowDestroy: args.allowDestroy });
    if (problems.length > 0) {
      throw new ExitError(
        1,
        `${style.red("Apply refused")}; nothing was changed on the server:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      );
    }
    if (!args.planFile && !args.autoApprove) {
      if (!io.stdinIsTTY || !io.stderr.isTTY) {
        throw new ExitError(
          1,
          "Apply refused: not running on a terminal, so nobody can approve the plan; nothing was changed. Review it with jsplan plan, then run apply with --auto-approve (or save it with plan --out and run apply --plan FILE).",
        );
      }
      io.stderr.write(
        `\nDo you want to perform these actions?\n  jsplan will carry out the plan above. Only 'yes' will be accepted to approve.\n\n`,
      );
      const answer = (await io.prompt("  Enter a value: ")).trim();
      if (answer !== "yes") throw new ExitError(1, "Apply cancelled; nothing was changed on the server.");
    }

    const controller = new AbortController();
    const removeInterrupt = io.onInterrupt(() => {
      if (!controller.signal.aborted) {
        io.stderr.write(
          `\n${style.yellow("Interrupted")}: no new steps are started; waiting for those in flight…\n`,
        );
        controller.abort();
      }
    });
    const progress = progressFor(
      io.stderr,
      io.env,
      plan.steps.length,
      style,
      args.quiet || args.format === "json",
    );
    let result: ApplyResult;
    try {
      result = await executePlan(
        plan,
        new JetStreamWriter(session.api, parseVersion(observed.server.version), {
          signal: controller.signal,
        }),
        {
          version: parseVersion(observed.server.version),
          limits: observed.limits,
          concurrency: args.concurrency,
          signal: controller.signal,
          connectionLost: () => session.connectionLost(),
          onFinish: (r) => progress.finished(r),
        },
      );
    } finally {
      progress.done();
      removeInterrupt();
    }

    if (args.format === "json") {
      io.stdout.write(`${JSON.stringify(resultJson(plan, result), null, 2)}\n`);
    } else {
      io.stdout.write(`\n${finalLine(result, style)}\n`);
      const adjusted = result.results.filter((r) => r.adjusted?.length);
      for (const r of adjusted) {
        for (const a of r.adjusted!) {
          io.stderr.write(
            style.yellow(
              `warning: ${r.address}: the server stored ${a.path} as ${JSON.stringify(a.stored)}, not ${JSON.stringify(a.sent)}; change the manifest to match, or the next plan shows a difference\n`,
            ),
          );
        }
      }
    }
    return result.summary.failed === 0 && result.summary.not_executed === 0 ? 0 : 1;
  } finally {
    await session.close();
  }
}

function emptyResult(): ApplyResult {
  return { results: [], summary: { succeeded: 0, failed: 0, not_executed: 0 }, duration_ms: 0 };
}

function resultJson(plan: Plan, result: ApplyResult) {
  return { format_version: plan.format_version, plan_summary: plan.summary, ...result };
}

function finalLine(result: ApplyResult, style: Style): string {
  const s = result.summary;
  const time = `in ${(result.duration_ms / 1000).toFixed(1)}s`;
  if (s.failed === 0 && s.not_executed === 0)
    return style.green(
      `Apply complete: ${s.succeeded} step${s.succeeded === 1 ? "" : "s"} succeeded ${time}.`,
    );
  const why = result.stopped ? ` (${result.stopped})` : "";
  return style.red(
    `Apply incomplete${why}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.not_executed} not executed ${time}. Run jsplan plan to see what remains; a new apply picks up from the server's state.`,
  );
}

async function readSavedPlan(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ExitError(
      1,
      `jsplan: cannot read the saved plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text) as SavedPlan;
  } catch {
    throw new ExitError(
      1,
      `jsplan: ${file} is not a saved plan (not JSON); make one with jsplan plan --out ${file}`,
    );
  }
  const major = String(plan?.format_version ?? "").split(".")[0];
  if (major !== "1" || !plan.saved || !Array.isArray(plan.steps) || !Array.isArray(plan.changes)) {
    throw new ExitError(
      1,
      `jsplan: ${file} is not a saved plan this jsplan can apply (format_version ${plan?.format_version ?? "missing"}); make one with jsplan plan --out`,
    );
  }
  return plan;
}

/** A saved plan may only run against the server state it was made from. */
function checkStale(saved: SavedPlan, observed: ObservedState, file: string): void {
  const problems: string[] = [];
  const s = observed.server;
  if (
    s.version !== saved.server.version ||
    (s.cluster ?? null) !== saved.server.cluster ||
    (s.domain ?? null) !== saved.server.domain
  ) {
    problems.push(
      `the plan was made for nats-server ${saved.server.version}${saved.server.cluster ? ` in cluster ${saved.server.cluster}` : ""}, and this is ${s.version}${s.cluster ? ` in cluster ${s.cluster}` : ""}`,
    );
  }
  // A standalone server's name, when set in its configuration, identifies it; an unset one is its random
  // ID, which a restart changes. (In a cluster, the node jsplan happens to reach differs between runs; the
  // cluster's name is compared above.)
  const named = (x: { name?: string | null; id?: string | null }) =>
    x.name && x.name !== x.id ? x.name : null;
  const savedName = named(saved.server);
  const nowName = named({ name: s.serverName ?? null, id: s.serverId ?? null });
  if (!s.cluster && savedName !== null && nowName !== null && savedName !== nowName) {
    problems.push(`the plan was made on server ${savedName}, and this is ${nowName}`);
  }
  const version = parseVersion(s.version);
  for (const [address, then] of Object.entries(saved.saved.fingerprints)) {
    const now = fingerprintAt(observed, address);
    if (then === now) continue;
    const change = saved.changes.find((c) => c.address === address);
    problems.push(
      `${address} changed since the plan was made${describeDrift(change?.before ?? null, address, observed, version)}`,
    );
  }
  if (problems.length > 0) {
    throw new ExitError(
      1,
      `Saved plan ${file} is stale; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}\nMake a new plan with jsplan plan --out ${file}.`,
    );
  }
}

function describeDrift(
  before: Record<string, unknown> | null,
  address: string,
  observed: ObservedState,
  version: ReturnType<typeof parseVersion>,
): string {
  const live = address.startsWith("consumer.")
    ? observed.consumers.get(address)?.config
    : observed.streams.get(address.slice(address.indexOf(".") + 1))?.config;
  if (!before && live) return ": it exists now";
  if (before && !live) return ": it no longer exists";
  if (!before || !live) return "";
  const now = address.startsWith("consumer.")
    ? canonicalConsumer(live as ConsumerConfig, { version })
    : canonicalStream(live as StreamConfig, { version });
  const fields = diffConfigs(before, now).map((d) => formatPath(d.segments));
  return fields.length > 0 ? ` (${fields.join(", ")})` : "";
}
