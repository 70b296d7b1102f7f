import { History, type HistoryOp, type OpFunction } from './history';

type Outcome = 'ok' | 'fail' | 'info' | 'pending';

/**
 * Writes hand-made histories (for checker tests and examples): each call
 * records one operation of `process` — its invoke and, unless 'pending', its
 * outcome — one time unit apart, coordinated by node 'n1'.
 */
export class HistoryBuilder {
  private t = 0;
  private readonly history = new History(() => this.t++);

  get ops(): readonly HistoryOp[] {
    return this.history.ops;
  }

  put(process: number, key: string, value: string, outcome: Outcome = 'ok', version?: string): this {
    return this.op(process, 'put', key, value, outcome, { ...(version === undefined ? {} : { version }) });
  }

  del(process: number, key: string, outcome: Outcome = 'ok', version?: string): this {
    return this.op(process, 'del', key, null, outcome, { ...(version === undefined ? {} : { version }) });
  }

  get(process: number, key: string, read: readonly string[] | 'fail' | 'info'): this {
    return typeof read === 'string'
      ? this.op(process, 'get', key, null, read, {})
      : this.op(process, 'get', key, null, 'ok', { value: read });
  }

  add(process: number, key: string, element: string, outcome: Outcome = 'ok'): this {
    return this.op(process, 'add', key, element, outcome, {});
  }

  readSet(process: number, key: string, elements: readonly string[]): this {
    return this.op(process, 'read-set', key, null, 'ok', { value: elements });
  }

  private op(
    process: number,
    f: OpFunction,
    key: string,
    value: string | null,
    outcome: Outcome,
    extra: { value?: readonly string[]; version?: string },
  ): this {
    this.history.invoke(process, f, key, value, 'n1');
    if (outcome !== 'pending') this.history.complete(process, outcome, { ...extra, ...(outcome === 'ok' ? {} : { error: 'TIMEOUT' }) });
    return this;
  }
}
