import { describe, expect, it } from '@jest/globals';
import { SystemClock, type Logger } from '@dynamis/core';
import { BackgroundWorker, WorkerUnavailable } from './BackgroundWorker';

const request = {
  dir: '/nowhere',
  spec: { inputs: [], splitOutput: true, older: { levels: [], olderL0: [] }, rangeDels: [] },
  builderOptions: {},
  targetFileBytes: 1024,
  numbers: [1],
  filter: undefined,
  purgeLogBytes: 1024,
};

describe('BackgroundWorker', () => {
  it('rejects jobs with WorkerUnavailable when the thread cannot start, and does not start it again', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m) => void errors.push(m),
      child: () => logger,
    };
    const worker = new BackgroundWorker({
      newFileNumber: () => 1,
      clock: new SystemClock(),
      logger,
      entry: { filename: '/nonexistent/workerMain.js', options: {} },
    });
    await expect(worker.compact(request, { threw: false })).rejects.toBeInstanceOf(WorkerUnavailable);
    await expect(worker.compact(request, { threw: false })).rejects.toBeInstanceOf(WorkerUnavailable);
    expect(errors.length).toBe(1); // one start, one failure
    expect(worker.remove('/x')).toBe(false);
    await worker.stop();
  });

  it('rejects jobs after stop() without starting a thread', async () => {
    const worker = new BackgroundWorker({ newFileNumber: () => 1, clock: new SystemClock(), logger: undefined });
    await worker.stop();
    await expect(worker.compact(request, { threw: false })).rejects.toThrow(/closing/);
    expect(worker.remove('/x')).toBe(false);
  });
});
