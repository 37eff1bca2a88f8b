import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Lambda gives a function one full vCPU at 1,769 MB and a share proportional to memory below that. */
export const MEMORY_MB_PER_VCPU = 1769;

const CPU_CGROUP_ROOT = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

/** The machine cannot limit a process's CPU (no writable cgroup v1 `cpu` controller: not root, or cgroup v2 only). */
export class CpuQuotaUnavailableError extends Error {
  override readonly name = 'CpuQuotaUnavailableError';
}

/** The vCPU share AWS Lambda gives a function of `memoryMb`, capped at one vCPU (single-threaded Node.js). */
export function cpuShareOf(memoryMb: number): number {
  return Math.min(1, memoryMb / MEMORY_MB_PER_VCPU);
}

/**
 * A cgroup v1 `cpu` group whose CFS quota gives its processes the CPU share of a Lambda function of a
 * given memory size (e.g. 256 MB -> 14,472 us of every 100,000 us). Needs root and the v1 `cpu`
 * controller at /sys/fs/cgroup/cpu; {@link CpuQuotaCgroup.create} throws {@link CpuQuotaUnavailableError}
 * otherwise. A process enters the group by writing its pid to `cgroup.procs` before it execs, so its
 * whole start-up runs under the quota: see {@link wrap}.
 */
export class CpuQuotaCgroup {
  private constructor(
    /** Absolute path of the group's directory. */
    readonly path: string,
    readonly quotaUs: number,
  ) {}

  /** Whether this machine lets this process create quota groups. */
  static available(): boolean {
    try {
      CpuQuotaCgroup.create(1769).remove();
      return true;
    } catch {
      return false;
    }
  }

  static create(memoryMb: number): CpuQuotaCgroup {
    if (!existsSync(join(CPU_CGROUP_ROOT, 'cpu.cfs_quota_us'))) {
      throw new CpuQuotaUnavailableError(`no cgroup v1 cpu controller at ${CPU_CGROUP_ROOT}`);
    }
    const path = join(CPU_CGROUP_ROOT, `lambda-runtime-${process.pid}-${randomUUID().slice(0, 8)}`);
    const quotaUs = Math.round(PERIOD_US * cpuShareOf(memoryMb));
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(path, 'cpu.cfs_quota_us'), String(quotaUs));
    } catch (error) {
      throw new CpuQuotaUnavailableError(`cannot create a cpu cgroup at ${path} (run as root)`, {
        cause: error,
      });
    }
    return new CpuQuotaCgroup(path, quotaUs);
  }

  /**
   * The command line that runs `command args` inside this group from its first instruction:
   * `/bin/sh -c 'echo $$ > cgroup.procs && exec "$@"'`.
   */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] } {
    return {
      command: '/bin/sh',
      args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.path, command, ...args],
    };
  }

  /** CPU time the group's processes were throttled, in ms (`cpu.stat` throttled_time). */
  throttledMs(): number {
    const stat = readFileSync(join(this.path, 'cpu.stat'), 'utf8');
    const match = /throttled_time (\d+)/.exec(stat);
    return match ? Number(match[1]) / 1e6 : 0;
  }

  /** Removes the group; its processes must have exited. */
  remove(): void {
    try {
      rmdirSync(this.path);
    } catch {
      // Still busy or already gone: the kernel keeps an empty group harmlessly until the next boot.
    }
  }
}
