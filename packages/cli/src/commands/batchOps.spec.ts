import { describe, expect, it } from '@jest/globals';
import { parseBatchInput } from './batchOps';

describe('dynamis batch input', () => {
  it('reads text and JSON lines, keeping the spaces of a value, skipping blank and # lines', () => {
    const input = [
      '# a comment',
      'put greeting hello  world ',
      '',
      'del old',
      '{"op":"put","key":"s","value":"v","ttl":60000}',
      '  {"op":"del","key":"gone"}',
      'put crlf v\r',
    ].join('\n');
    expect(parseBatchInput(input)).toEqual([
      { line: 2, type: 'put', key: 'greeting', value: 'hello  world ' },
      { line: 4, type: 'del', key: 'old' },
      { line: 5, type: 'put', key: 's', value: 'v', ttlMs: 60000 },
      { line: 6, type: 'del', key: 'gone' },
      { line: 7, type: 'put', key: 'crlf', value: 'v' },
    ]);
    expect(parseBatchInput('')).toEqual([]);
  });

  it.each([
    ['set k v', 'line 1: expected `put KEY VALUE` or `del KEY`'],
    ['put k', 'line 1: `put KEY VALUE` needs a value'],
    ['del k v', 'line 1: `del KEY` takes no value'],
    ['put k v\n{"op":"put","key":"k"}', 'line 2: "value" must be a string'],
    ['{"op":"upsert","key":"k","value":"v"}', 'line 1: "op" must be "put" or "del"'],
    ['{"op":"put","key":"k","value":"v","ttl":-1}', 'line 1: "ttl" must be a positive integer'],
    ['{"op":"del","key":"k","extra":1}', 'line 1: unknown field "extra"'],
    ['{"op":"put",', 'line 1: not valid JSON'],
    ['[1]', 'line 1: expected `put KEY VALUE`'],
  ])('%j is INVALID_ARGUMENT naming the line', (input, message) => {
    expect(() => parseBatchInput(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(message) }),
    );
  });
});
