// The bench's handle on the load-generator child process: one job at a time over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, Reply } from './load-generator.js';

export class LoadGenerator {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  /** CPU time of every job so far, in microseconds. */
  totalCpuUs = 0;
  totalWallMs = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id: number; reply?: Reply; error?: string }) => {
      const waiting = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.reply) waiting?.resolve(message.reply);
      else waiting?.reject(new Error(`load generator: ${message.error}`));
    });
    child.once('exit', (code) => {
      for (const waiting of this.waiting.values()) waiting.reject(new Error(`load generator exited (${code})`));
      this.waiting.clear();
    });
  }

  static start(): LoadGenerator {
    // The same Node flags as the bench (tsx's loader); no inspector or profiler flags.
    const execArgv = process.execArgv.filter((flag) => !/^--(cpu-prof|inspect|heap-prof)/.test(flag));
    const child = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), [], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadGenerator(child);
  }

  async run(job: Job): Promise<Reply> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
    this.totalCpuUs += reply.cpuUs;
    this.totalWallMs += reply.wallMs;
    return reply;
  }

  stop(): void {
    this.child.disconnect();
  }
}
