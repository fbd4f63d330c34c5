// Rules about priority groups: pull consumers whose clients ask in a group, and a policy that decides
// which client of the group gets the messages.

import type { DesiredConsumer } from "../../model/desired.js";
import type { Findings } from "./report.js";

/** A policy decides between the clients of a group: without groups there is nothing to decide. */
export function priorityPolicyHasGroups(k: DesiredConsumer, f: Findings): void {
  const policy = k.config.priority_policy ?? "none";
  if (policy !== "none" && !k.config.priority_groups?.length) {
    f.error(k, "priority_policy", "priority", `priority_policy: ${policy} needs priority_groups`);
  }
}

export function priorityGroupsHavePolicy(k: DesiredConsumer, f: Findings): void {
  if ((k.config.priority_policy ?? "none") === "none" && k.config.priority_groups?.length) {
    f.error(
      k,
      "priority_groups",
      "priority",
      "priority_groups need a priority_policy (overflow, pinned_client or prioritized)",
    );
  }
}

/** The timeout is how long a pinned client may stay away before another is pinned. */
export function priorityTimeoutPinned(k: DesiredConsumer, f: Findings): void {
  const timeout = k.config.priority_timeout;
  if (timeout !== undefined && timeout > 0 && (k.config.priority_policy ?? "none") !== "pinned_client") {
    f.error(
      k,
      "priority_timeout",
      "priority",
      "priority_timeout only applies with priority_policy: pinned_client",
    );
  }
}
