import { describe, expect, it } from '@jest/globals';
import type { Logger, Member } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import { Publisher } from './Publisher';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent } as unknown as Logger;
const m = (status: Member['status'], address = 'a:1'): Member => ({ id: 'x', address, status });

function setup(minTransitionMs: number) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  let current: Member | undefined = m('up');
  const p = new Publisher(clock, silent, minTransitionMs, () => current);
  const events: string[] = [];
  for (const ev of ['up', 'down', 'joined', 'left', 'joining', 'forgotten'] as const)
    p.on(ev, (member) => events.push(`${ev}:${member.status}@${scheduler.now()}`));
  const set = (member: Member | undefined): void => {
    current = member;
    p.update('x', member);
  };
  return { scheduler, p, events, set };
}

describe('Publisher: events and flap damping', () => {
  it("a member first known as 'joining' (not placed) fires joining, again at a new address, and joined once it is placed", () => {
    const { p, events, set } = setup(0);
    set(m('joining'));
    set(m('joining'));
    set(m('joining', 'b:2'));
    expect(p.member('x')).toEqual(m('joining', 'b:2'));
    set(m('up', 'b:2'));
    set(m('up', 'b:2'));
    expect(events).toEqual(['joining:joining@0', 'joining:joining@0', 'joined:up@0']);
    p.update('x', undefined); // forgotten
    expect(p.member('x')).toBeUndefined();
    p.update('x', undefined); // not published: nothing
    p.update('y', m('joining'));
    p.update('y', undefined, true); // silent (a seed): no event
    expect(events).toEqual(['joining:joining@0', 'joining:joining@0', 'joined:up@0', 'forgotten:up@0', 'joining:joining@0']);
  });

  it('joined once for a new member, then one event per transition; a seed placeholder joins when its entry arrives', () => {
    const { p, events, set } = setup(0);
    p.update('x', m('joining'), true);
    set(m('up'));
    set(m('up'));
    set(m('leaving'));
    set(m('down'));
    set(m('up'));
    set(m('left'));
    set(m('left'));
    set(m('up'));
    expect(events).toEqual(['joined:up@0', 'down:down@0', 'up:up@0', 'left:left@0', 'joined:up@0']);
    set(m('up', 'b:2')); // a new process at another address
    expect(events.at(-1)).toBe('joined:up@0');
    expect(p.member('x')).toEqual(m('up', 'b:2'));
  });

  it('two up/down flips are at least minTransitionMs apart; a flip due sooner is re-checked then against the current state', async () => {
    const { scheduler, p, events, set } = setup(1000);
    p.update('x', m('up'), true);
    set(m('down'));
    expect(events).toEqual(['down:down@0']);
    await scheduler.runFor(100);
    set(m('up'));
    set(m('down'));
    set(m('up'));
    expect(p.member('x')!.status).toBe('down'); // held
    await scheduler.runFor(1000);
    expect(events).toEqual(['down:down@0', 'up:up@1000']);
    set(m('down'));
    set(m('up')); // back before the next flip was due: nothing fires
    await scheduler.runFor(2000);
    expect(events).toEqual(['down:down@0', 'up:up@1000']);
  });

  it('dropLeft: a member not kept after leaving fires left once, and listeners no longer see it', () => {
    const { p, events } = setup(0);
    p.update('x', m('up'), true);
    const seen: Array<string[]> = [];
    p.on('left', () => seen.push(p.members().map((x) => x.id)));
    p.dropLeft('x', m('left'));
    expect(events).toEqual(['left:left@0', 'forgotten:left@0']);
    expect(seen).toEqual([[]]);
    p.update('x', m('left'), true);
    p.dropLeft('x', m('left')); // already published as left: no second left, only forgotten
    p.dropLeft('y', m('left')); // unknown: nothing
    expect(events).toEqual(['left:left@0', 'forgotten:left@0', 'forgotten:left@0']);
    expect(p.members()).toEqual([]);
  });
});
