// Where a load's CPU went: the machine's CPU time (and what the hypervisor took: steal), how long
// tasks waited for a CPU (Linux pressure stall information), and each of the stack's processes'
// share of a core, over one window. Read from /proc, so Linux only; elsewhere the figures are absent.
import fs from 'node:fs';
import os from 'node:os';

/** /proc counts CPU time in USER_HZ, which Linux fixes at 100 a second for user space. */
const TICKS_PER_SECOND = 100;

interface Snapshot {
  at: number;
  /** all CPUs: [busy, idle, steal] ticks */
  machine?: [number, number, number];
  /** microseconds some task waited for a CPU (PSI "some" total) */
  waitedUs?: number;
  /** ticks by process */
  processes: Map<number, { role: string; ticks: number }>;
}

export interface CpuUse {
  seconds: number;
  cpus: number;
  /** CPUs' worth of busy time, steal apart */
  busyCpus?: number;
  stealCpus?: number;
  /** share of the window some task was ready to run and waited for a CPU */
  waitingShare?: number;
  /** cores' worth of CPU by role, largest first */
  byRole: Array<[string, number]>;
}

/** A process's role in the stack, from its command line; undefined for what is not the stack's. */
function roleOf(pid: number, cmdline: string): string | undefined {
  if (pid === process.pid) return 'bench (stand-ins, load)';
  if (/temporal-server/.test(cmdline) || /\btemporal\b.*server start-dev/.test(cmdline)) return 'Temporal server';
  if (/^postgres/.test(cmdline) || /\/postgres\b/.test(cmdline)) return 'PostgreSQL';
  if (/run\.cjs worker/.test(cmdline)) return 'worker';
  if (/run\.cjs api/.test(cmdline)) return 'API';
  return undefined;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // not Linux, or the process ended meanwhile
  }
}

function snapshot(): Snapshot {
  const processes = new Map<number, { role: string; ticks: number }>();
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const role = roleOf(pid, (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' '));
    const stat = role && read(`/proc/${pid}/stat`);
    if (!role || !stat) continue;
    // fields after the command's closing parenthesis: utime and stime are the 12th and 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.set(pid, { role, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const cpu = read('/proc/stat')?.split('\n')[0]?.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const machine: Snapshot['machine'] = cpu && cpu.length >= 8 ? [cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]!, cpu[3]! + cpu[4]!, cpu[7]!] : undefined;
  const waited = read('/proc/pressure/cpu')?.match(/^some .*total=(\d+)/m)?.[1];
  return { at: performance.now(), machine, waitedUs: waited === undefined ? undefined : Number(waited), processes };
}

/** Starts a window; the function it returns ends it and says where the CPU went. */
export function cpuWindow(): () => CpuUse {
  const start = snapshot();
  return () => {
    const end = snapshot();
    const seconds = (end.at - start.at) / 1000;
    const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
    const byRole = new Map<string, number>();
    for (const [pid, { role, ticks }] of end.processes) {
      // a process started within the window counts from zero
      byRole.set(role, (byRole.get(role) ?? 0) + cores(ticks - (start.processes.get(pid)?.ticks ?? 0)));
    }
    const machine = start.machine && end.machine ? end.machine.map((v, i) => v - start.machine![i]!) : undefined;
    return {
      seconds,
      cpus: os.availableParallelism(),
      ...(machine ? { busyCpus: cores(machine[0]!), stealCpus: cores(machine[2]!) } : {}),
      ...(start.waitedUs !== undefined && end.waitedUs !== undefined ? { waitingShare: (end.waitedUs - start.waitedUs) / 1e6 / seconds } : {}),
      byRole: [...byRole].sort((a, b) => b[1] - a[1]),
    };
  };
}

/** One line of figures: "1.62 of 2 CPUs busy over 90 s (steal 0.03), some task waiting for a CPU 54 % of the time; worker 0.65, … (cores)". */
export function describeCpu(use: CpuUse): string {
  const head =
    use.busyCpus === undefined
      ? `over ${use.seconds.toFixed(0)} s`
      : `${use.busyCpus.toFixed(2)} of ${use.cpus} CPUs busy over ${use.seconds.toFixed(0)} s (steal ${use.stealCpus!.toFixed(2)})`;
  const waiting = use.waitingShare === undefined ? '' : `, some task waiting for a CPU ${Math.round(use.waitingShare * 100)} % of the time`;
  return `${head}${waiting}; ${use.byRole.map(([role, cores]) => `${role} ${cores.toFixed(2)}`).join(', ')} (cores)`;
}
