import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { HAS_TASKSET } from './processes.js';

/** Where the bench ran. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly pinned: boolean;
  /** 1-minute load average when the run started and ended. */
  readonly load: { start: number; end?: number };
}

export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() has it
  }
  return {
    cpuModel,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    pinned: HAS_TASKSET,
    load: { start: loadavg()[0]! },
  };
}

export function machineLine(machine: Machine): string {
  const load = `load ${machine.load.start.toFixed(2)}${machine.load.end !== undefined ? ` → ${machine.load.end.toFixed(2)}` : ''}`;
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}, ` +
    `${machine.pinned ? 'server on core 0, autocannon on core 1 (taskset)' : 'not pinned (no taskset)'}, ${load}`
  );
}
