// Teardown guarantees beyond a test's own stop():
//  - every live server is registered here and is SIGKILLed, and its folder removed, synchronously when this
//    process exits or gets SIGINT, SIGTERM or SIGHUP;
//  - every spawned server has a pid file in os.tmpdir()/jsplan-test-pids-<uid>/, so a later run can kill the
//    servers of a test process that was itself SIGKILLed (reapStaleServers, called by scripts/run-tests.mjs
//    and by the first startServer of every test process).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Something that can be torn down synchronously, from an exit or signal handler. */
export interface Reapable {
  emergencyStop(): void;
}

interface PidFile {
  pid: number;
  owner: number;
  dir: string;
  configFile: string;
}

const live = new Set<Reapable>();
let handlersInstalled = false;

export const TEMP_PREFIX = "jsplan-test-";

function pidDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return path.join(os.tmpdir(), `jsplan-test-pids-${uid}`);
}

function reapAll(): void {
  for (const r of [...live]) {
    try {
      r.emergencyStop();
    } catch {
      // keep going: the other servers still have to go
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  reapAll();
  // Restore the default action (terminate) unless someone else handles the signal, and re-raise it so the
  // process ends the way it would have without us.
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", reapAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

export function registerForCleanup(r: Reapable): void {
  installHandlers();
  live.add(r);
}

export function unregisterForCleanup(r: Reapable): void {
  live.delete(r);
}

function pidFilePath(pid: number): string {
  return path.join(pidDir(), `${pid}.json`);
}

export function writePidFile(pid: number, dir: string, configFile: string): void {
  try {
    mkdirSync(pidDir(), { recursive: true });
    const record: PidFile = { pid, owner: process.pid, dir, configFile };
    writeFileSync(pidFilePath(pid), JSON.stringify(record));
  } catch {
    // best effort: the exit handlers still cover everything but a SIGKILL of this process
  }
}

export function removePidFile(pid: number): void {
  try {
    unlinkSync(pidFilePath(pid));
  } catch {
    // already gone
  }
}

/** rmSync that tolerates a server still writing while it dies. */
export function removeDirSync(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  } catch {
    // best effort
  }
}

/** True if `pid` runs. A zombie does not: in a container whose pid 1 never reaps, killed processes stay zombies. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
    return state !== "Z" && state !== "X";
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    try {
      return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
    } catch {
      return undefined;
    }
  }
}

/**
 * Kills the servers, and removes the folders, of test processes that no longer exist. Safe while other test
 * processes run: their servers are left alone. Returns the pids that were killed.
 */
export function reapStaleServers(): number[] {
  const killed: number[] = [];
  let names: string[];
  try {
    names = readdirSync(pidDir()).filter((n) => n.endsWith(".json"));
  } catch {
    return killed;
  }
  for (const name of names) {
    const file = path.join(pidDir(), name);
    let record: PidFile;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as PidFile;
    } catch {
      continue; // being written right now, or garbage from elsewhere: leave it
    }
    if (record.owner === process.pid || isAlive(record.owner)) continue;
    // The pid may have been reused since: only kill a process still running our config file.
    if (isAlive(record.pid) && commandLine(record.pid)?.includes(record.configFile)) {
      try {
        process.kill(record.pid, "SIGKILL");
        killed.push(record.pid);
      } catch {
        // exited meanwhile
      }
    }
    if (path.isAbsolute(record.dir) && path.basename(record.dir).startsWith(TEMP_PREFIX)) {
      removeDirSync(record.dir);
    }
    try {
      unlinkSync(file);
    } catch {
      // someone else reaped it
    }
  }
  return killed;
}
