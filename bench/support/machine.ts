// What the numbers were measured on: they mean little without the machine, the runtimes and the load.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gatewayNodePath } from './gateways.js';

export interface MachineInfo {
  platform: string;
  arch: string;
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  totalMemMiB: number;
  loadAvg1m: number;
  hostNode: string;
  gatewayNode: string;
  openclaw: string;
  referenceClient: string;
  gitCommit: string;
  gitDirty: boolean;
}

export function describeMachine(): MachineInfo {
  const cpuList = cpus();
  return {
    platform: platform(),
    arch: arch(),
    kernel: release(),
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemMiB: Math.round(totalmem() / 1024 / 1024),
    loadAvg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    hostNode: process.version,
    gatewayNode: run(gatewayNodePath, ['--version']),
    openclaw: packageVersion('../../runtime/node_modules/openclaw/package.json'),
    referenceClient: packageVersion('../../runtime/node_modules/@openclaw/gateway-client/package.json'),
    gitCommit: run('git', ['rev-parse', '--short', 'HEAD']),
    gitDirty: run('git', ['status', '--porcelain']).length > 0,
  };
}

export function currentLoadAvg1m(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function packageVersion(relative: string): string {
  try {
    const json = JSON.parse(readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8')) as { version?: string };
    return json.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
