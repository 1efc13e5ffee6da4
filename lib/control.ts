// Control messages to every gateway node: a token was revoked, a user's plan changed. Redis
// pub/sub with REDIS_URL (all nodes hear it), an in-process emitter otherwise.
import { EventEmitter } from 'node:events';
import type { Engines } from './engines';
import type { PlanId } from './plans';

export type ControlMessage =
  | { type: 'token_revoked'; tokenId: string; userId: string }
  | { type: 'plan_changed'; userId: string; plan: PlanId };

// On globalThis: Next.js bundles route handlers apart from the server entry, and both must share
// one in-process bus (see lib/runtime.ts).
const BUS_KEY = Symbol.for('sluice.control-bus');
const localBus: EventEmitter = ((globalThis as { [BUS_KEY]?: EventEmitter })[BUS_KEY] ??= new EventEmitter().setMaxListeners(0));

const channel = (engines: Engines) => `${engines.prefix}control`;

export async function publishControl(engines: Engines, message: ControlMessage): Promise<void> {
  if (engines.redis) await engines.redis.publish(channel(engines), JSON.stringify(message));
  else localBus.emit('message', message);
}

/** Subscribes to control messages; returns an unsubscribe function. */
export async function subscribeControl(engines: Engines, onMessage: (message: ControlMessage) => void): Promise<() => Promise<void>> {
  if (!engines.redis) {
    localBus.on('message', onMessage);
    return async () => {
      localBus.off('message', onMessage);
    };
  }
  const subscriber = engines.redis.duplicate();
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(channel(engines));
  subscriber.on('message', (_channel: string, raw: string) => {
    try {
      onMessage(JSON.parse(raw) as ControlMessage);
    } catch {
      // Ignore malformed messages: nothing else publishes on this channel.
    }
  });
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
