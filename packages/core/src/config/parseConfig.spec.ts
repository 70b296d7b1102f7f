import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '../errors/DynamisError';
import { describeConfig, parseConfig } from './parseConfig';

describe('parseConfig', () => {
  it('fills every default from an empty config', () => {
    const config = parseConfig({});
    expect(config.nodeId).toBe('node-1');
    expect(config.limits).toEqual({ maxKeyBytes: 1024, maxValueBytes: 1024 * 1024, maxBatchOps: 1000 });
    expect(config.replication).toEqual({
      n: 3,
      w: 'quorum',
      r: 'quorum',
      sloppyQuorum: false,
      readFanout: 'quorum',
      speculativeRetryMs: 50,
    });
    expect(config.tombstones.graceMs).toBe(864_000_000);
    expect(parseConfig(undefined)).toEqual(config);
  });

  it('keeps given values and fills the rest', () => {
    const config = parseConfig({ nodeId: 'a', limits: { maxKeyBytes: 10 } });
    expect(config.nodeId).toBe('a');
    expect(config.limits.maxKeyBytes).toBe(10);
    expect(config.limits.maxValueBytes).toBe(1024 * 1024);
  });

  it('reports every bad path in one INVALID_CONFIG error', () => {
    let error: unknown;
    try {
      parseConfig({ nodeId: 'bad id!', limits: { maxKeyBytes: -1 }, replication: { w: 'most' }, surprise: 1 });
    } catch (err) {
      error = err;
    }
    expect(isDynamisError(error, 'INVALID_CONFIG')).toBe(true);
    const problems = (error as { details: { problems: Array<{ path: string }> } }).details.problems;
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual(['', 'limits.maxKeyBytes', 'nodeId', 'replication.w']);
    const message = (error as Error).message;
    expect(message).toContain('nodeId: must be 1–64 characters');
    expect(message).toContain('limits.maxKeyBytes');
    expect(message).toContain('surprise');
  });

  it('refuses an unknown replication key, a bad readFanout, and speculativeRetryMs with readFanout all (nothing would read it)', () => {
    const paths = (input: object): string[] => {
      try {
        parseConfig({ replication: input });
      } catch (err) {
        expect(isDynamisError(err, 'INVALID_CONFIG')).toBe(true);
        return (err as { details: { problems: Array<{ path: string }> } }).details.problems.map((p) => p.path);
      }
      return [];
    };
    expect(paths({ readFanot: 'all' })).toEqual(['replication']);
    expect(paths({ readFanout: 'some' })).toEqual(['replication.readFanout']);
    expect(paths({ speculativeRetryMs: 0 })).toEqual(['replication.speculativeRetryMs']);
    expect(paths({ readFanout: 'all', speculativeRetryMs: 5 })).toEqual(['replication.speculativeRetryMs']);
    const all = parseConfig({ replication: { readFanout: 'all' } });
    expect(all.replication).toEqual({ n: 3, w: 'quorum', r: 'quorum', sloppyQuorum: false, readFanout: 'all' });
    expect(parseConfig(all)).toEqual(all); // a parsed config parses again (no default filled that the refinement refuses)
    expect(parseConfig({ replication: { speculativeRetryMs: 25 } }).replication).toMatchObject({
      readFanout: 'quorum',
      speculativeRetryMs: 25,
    });
  });

  it('rejects a config that is not an object', () => {
    expect(() => parseConfig('nope')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('describes every option with a description and a default', () => {
    const options = describeConfig();
    expect(options.length).toBeGreaterThan(10);
    for (const option of options) {
      expect(option.description).not.toBe('');
      expect(option.default).not.toBeUndefined();
    }
    expect(options.find((o) => o.path === 'limits.maxKeyBytes')?.default).toBe(1024);
  });
});
