// "No process left behind" assertions for tests: is a PID alive, what are its children, and which live
// processes belong to a given gateway state dir (their environment or argv mentions it; the gateway, its
// spawn-broker and its sqlite worker all inherit OPENCLAW_STATE_DIR). Linux (/proc) only.
import { childPidsOf, isProcessAlive, listPids, readCmdline, readEnviron } from '../../src/adapters/process/process-table.js';

/** True while `pid` runs (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  return isProcessAlive(pid);
}

/** Direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return childPidsOf(pid);
}

/** Live PIDs (other than this test process) run with OPENCLAW_STATE_DIR=`stateDir` or with it in their argv. */
export function listGatewayProcesses(stateDir: string): number[] {
  const envEntry = `OPENCLAW_STATE_DIR=${stateDir}`;
  return listPids().filter((pid) => {
    if (pid === process.pid) return false;
    const mentions = (readEnviron(pid) ?? []).includes(envEntry) || (readCmdline(pid) ?? []).some((arg) => arg.includes(stateDir));
    return mentions && isProcessAlive(pid);
  });
}
