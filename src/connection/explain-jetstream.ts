// Why JetStream did not answer once connected, in words: not enabled, a wrong domain or API prefix, a
// permission the user lacks, a cluster without a leader.

import { ApiErrorCode } from "../jetstream/api-errors.js";
import { apiPrefix } from "./client-options.js";
import { JsApiError, JsTransportError } from "./js-api.js";
import type { ConnectionSettings } from "./settings.js";
import { fromWhere, seconds } from "./wording.js";

export function describeJetStreamError(
  err: unknown,
  where: string,
  s: ConnectionSettings,
  serverDomain: string | undefined,
): string {
  if (err instanceof JsTransportError) {
    if (err.kind === "no-responders") {
      if (s.jsDomain) {
        const known =
          serverDomain && serverDomain !== s.jsDomain
            ? `; the server's own JetStream domain is "${serverDomain}"`
            : "";
        return `JetStream is not available at ${where} in domain "${s.jsDomain}": nothing answers on ${err.subject}${known}. Check --js-domain (or jetstream_domain in the context), and that JetStream is enabled`;
      }
      if (s.jsApiPrefix) {
        return `JetStream is not available at ${where} under the API prefix "${s.jsApiPrefix}": nothing answers on ${err.subject}. Check --js-api-prefix (or jetstream_api_prefix in the context)`;
      }
      return `JetStream is not available at ${where}: nothing answers on ${err.subject}. Enable JetStream on the server (jetstream {} in its config, or -js), or connect to one that has it`;
    }
    if (err.kind === "permission") return describePermission(err, where, s);
    if (err.kind === "timeout")
      return `JetStream at ${where} did not answer on ${err.subject} within ${seconds(s.timeoutMs)}; the cluster may have no leader yet, or raise --timeout`;
    return `JetStream at ${where} failed: ${err.message}`;
  }
  if (err instanceof JsApiError) {
    if (err.errCode === ApiErrorCode.NotEnabledForAccount)
      return `JetStream is not enabled for this account at ${where}; ask the operator to give the account JetStream limits${fromWhere(s)}`;
    return `JetStream at ${where} answered with an error: ${err.description} (${err.errCode})`;
  }
  return `JetStream at ${where} failed: ${(err as Error)?.message ?? String(err)}`;
}

/** The client's PermissionViolationError says whether the publish or the reply subscription was refused. */
function describePermission(err: JsTransportError, where: string, s: ConnectionSettings): string {
  let e: unknown = err.cause;
  let violation: { operation?: string; subject?: string } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    const x = e as { name?: string; operation?: string; subject?: string; cause?: unknown };
    if (x.name === "PermissionViolationError") violation = x;
    e = x.cause;
  }
  const inbox = s.inboxPrefix ?? "_INBOX";
  if (violation?.operation && violation.operation !== "publish") {
    return `permission denied at ${where}: the user may not subscribe to its reply subjects (${violation.subject ?? `${inbox}.>`}); it needs subscribe permission on ${inbox}.>, or set inbox_prefix in the context to a prefix it may use`;
  }
  const subject = violation?.subject ?? err.subject;
  return `permission denied at ${where}: the user may not publish to ${subject}; jsplan needs publish permission on ${apiPrefix(s)}.> and subscribe permission on ${inbox}.>`;
}
