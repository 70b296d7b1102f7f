import { request, type ClientRequest } from 'node:http';

/** An open `/events` stream read over a real socket: its status, and every `data:` frame parsed as JSON so far. */
export interface SseStream {
  readonly status: number;
  readonly frames: unknown[];
  /** Resolves with the first frame (already received or coming) for which `match` is true; rejects after `timeoutMs`. */
  next(match: (frame: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** Opens `url` as an event stream (GET, Accept: text/event-stream); resolves once the response headers arrived. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const frames: unknown[] = [];
    const waiters: (() => void)[] = [];
    let req: ClientRequest | undefined = undefined;
    req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let cut: number;
        while ((cut = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, cut);
          buffered = buffered.slice(cut + 2);
          if (frame.startsWith('data: ')) frames.push(JSON.parse(frame.slice(6)));
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        frames,
        next(match, timeoutMs = 30_000) {
          return new Promise((found, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching frame within ${timeoutMs} ms (${frames.length} frames)`)),
              timeoutMs,
            );
            const check = (): void => {
              const hit = frames.find(match);
              if (hit !== undefined) {
                clearTimeout(timer);
                found(hit);
              } else waiters.push(check);
            };
            check();
          });
        },
        close: () => req?.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
