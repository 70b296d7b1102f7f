import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { createNode } from './DynamisNode';
import { definePlugin } from './Plugin';
import { CLIENT_MESSAGE } from './clientProtocol';

const base = { version: '1.0.0', core: '^0.1.0', provides: [], needs: [], register: () => undefined } as const;

describe("plugin manifests' message types", () => {
  it('definePlugin refuses an empty, over-long or repeated message type (INCOMPATIBLE_PLUGIN)', () => {
    expect(() => definePlugin({ ...base, name: 'p', messages: [''] })).toThrow(expect.objectContaining({ code: 'INCOMPATIBLE_PLUGIN' }));
    expect(() => definePlugin({ ...base, name: 'p', messages: ['x'.repeat(129)] })).toThrow(/must be 1–128 characters/);
    expect(() => definePlugin({ ...base, name: 'p', messages: ['a.b', 'a.b'] })).toThrow(/listed twice/);
    expect(definePlugin({ ...base, name: 'p', messages: ['a.b'] }).messages).toEqual(['a.b']);
  });

  it('createNode refuses two plugins declaring one type, and a plugin declaring a kernel type', async () => {
    const one = definePlugin({ ...base, name: 'one', messages: ['svc.x'] });
    const two = definePlugin({ ...base, name: 'two', messages: ['svc.x'] });
    const coordinator = definePlugin({
      ...base,
      name: 'coord',
      provides: ['Coordinator'],
      register: ({ bind }) => void bind(Symbol.for('dynamis.Coordinator')).toConstantValue({}),
    });
    await expect(createNode({ log: { level: 'silent' } }, [coordinator, one, two])).rejects.toMatchObject({
      code: 'INCOMPATIBLE_PLUGIN',
      details: { type: 'svc.x', owners: ['one', 'two'] },
    });
    const transport = definePlugin({
      ...base,
      name: 'transport',
      provides: ['Transport'],
      messages: [CLIENT_MESSAGE.get],
      register: ({ bind }) => void bind(Symbol.for('dynamis.Transport')).toConstantValue({}),
    });
    await expect(createNode({ log: { level: 'silent' } }, [coordinator, transport])).rejects.toMatchObject({
      code: 'INCOMPATIBLE_PLUGIN',
      details: { type: CLIENT_MESSAGE.get },
    });
  });
});
