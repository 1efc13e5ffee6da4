// Two small parts of the gateway alone: which control messages end which streams (and which
// handshakes must re-check), and which cursor has reached the connection.
import { describe, expect, it } from 'vitest';
import { ControlWatch, endingFor, endingForVerdict } from '@/server/gateway/control';
import { DeliveredCursor } from '@/server/gateway/delivery';
import type { SocketData } from '@/server/gateway/types';

const auth = (tokenId: string, userId: string) => ({ tokenId, user: { id: userId } }) as SocketData['auth'];

describe('control messages', () => {
  it('end the streams they concern, with the reason', () => {
    const data = { auth: auth('t1', 'u1') };
    expect(endingFor({ type: 'token_revoked', tokenId: 't1', userId: 'u1' }, data)?.reason).toBe('token_revoked');
    expect(endingFor({ type: 'token_revoked', tokenId: 't2', userId: 'u1' }, data)).toBeNull();
    expect(endingFor({ type: 'plan_changed', userId: 'u1', plan: 'free' }, data)?.reason).toBe('plan_ended');
    expect(endingFor({ type: 'plan_changed', userId: 'u1', plan: 'firehose' }, data)).toBeNull();
    expect(endingFor({ type: 'plan_changed', userId: 'u2', plan: 'free' }, data)).toBeNull();
    expect(endingFor({ type: 'plan_changed', userId: 'u1', plan: 'free' }, undefined)).toBeNull();
    expect(endingForVerdict('plan_ended')?.reason).toBe('plan_ended');
    expect(endingForVerdict(null)).toBeNull();
  });

  it('a handshake re-checks when its token or user had a message after its mark, and only then', () => {
    const watch = new ControlWatch();
    watch.note({ type: 'token_revoked', tokenId: 'old', userId: 'u9' });
    const mark = watch.mark();
    expect(watch.changedSince(mark, auth('old', 'u9'))).toBe(false); // before the mark: the verification saw it
    watch.note({ type: 'token_revoked', tokenId: 't1', userId: 'u1' });
    expect(watch.changedSince(mark, auth('t1', 'u1'))).toBe(true);
    expect(watch.changedSince(mark, auth('t2', 'u1'))).toBe(true); // same user: check too
    expect(watch.changedSince(mark, auth('t3', 'u3'))).toBe(false);
    watch.note({ type: 'plan_changed', userId: 'u3', plan: 'free' });
    expect(watch.changedSince(mark, auth('t3', 'u3'))).toBe(true);
    expect(watch.changedSince(watch.mark(), auth('t3', 'u3'))).toBe(false);
  });
});

describe('delivered cursor', () => {
  it('moves as engine.io hands frames to the transport, and replay advances wait their turn', () => {
    const d = new DeliveredCursor('1-0');
    d.advanced('2-0'); // nothing pending: handed at once
    expect(d.handed).toBe('2-0');
    d.queued('5-0');
    d.advanced('6-0'); // filtered-out events after a frame still in the buffer
    d.queued('9-0');
    expect(d.handed).toBe('2-0');
    d.flushed(1);
    expect(d.handed).toBe('6-0');
    d.queued('12-0');
    d.flushed(1);
    expect(d.handed).toBe('9-0');
    d.dropped(); // a slow consumer's unwritten frames were discarded
    d.flushed(3);
    expect(d.handed).toBe('9-0');
  });
});
