// The nats-server release lines the tests run against, and their provisioned binaries.
import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { serverCacheDir } from "./paths.js";

export type ServerLine = "2.10" | "2.15";

/** Oldest first. */
export const SUPPORTED_LINES: readonly ServerLine[] = ["2.10", "2.15"];

const INSTALL_HINT = "run scripts/install-nats-server.sh (or npm test, which runs it)";

export function isServerLine(value: string): value is ServerLine {
  return (SUPPORTED_LINES as readonly string[]).includes(value);
}

function binaryPath(line: ServerLine): string {
  return path.join(serverCacheDir(), line, "nats-server");
}

function isProvisioned(line: ServerLine): boolean {
  try {
    accessSync(binaryPath(line), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Path of the provisioned binary of a line; throws if it is missing. */
export function serverBinary(line: ServerLine): string {
  if (!isServerLine(line)) {
    throw new Error(`unknown nats-server line "${line}" (supported: ${SUPPORTED_LINES.join(", ")})`);
  }
  if (!isProvisioned(line)) {
    throw new Error(`nats-server ${line} is not provisioned in ${binaryPath(line)}: ${INSTALL_HINT}`);
  }
  return binaryPath(line);
}

/** The exact version the install script recorded (e.g. "2.15.1"), if any. */
export function provisionedVersion(line: ServerLine): string | undefined {
  try {
    return readFileSync(path.join(serverCacheDir(), line, "VERSION"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines to test against: `JSPLAN_TEST_SERVERS=2.10,2.15`, or every provisioned line, oldest first.
 * Throws if a requested line is unknown or not provisioned, or if nothing is provisioned.
 */
export function serverLines(): ServerLine[] {
  const requested = (process.env.JSPLAN_TEST_SERVERS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (requested.length === 0) {
    const provisioned = SUPPORTED_LINES.filter(isProvisioned);
    if (provisioned.length === 0) throw new Error(`no nats-server is provisioned: ${INSTALL_HINT}`);
    return provisioned;
  }
  const lines: ServerLine[] = [];
  for (const value of requested) {
    if (!isServerLine(value)) {
      throw new Error(
        `JSPLAN_TEST_SERVERS: unknown nats-server line "${value}" (supported: ${SUPPORTED_LINES.join(", ")})`,
      );
    }
    serverBinary(value); // throws with the install hint
    if (!lines.includes(value)) lines.push(value);
  }
  return SUPPORTED_LINES.filter((line) => lines.includes(line));
}
