// The one answer to "may this token do X now?", for the REST API, the gateway and the UI.
// Decided at use from the user's plan at that moment: subscribing enables existing tokens.
import { AppError } from './errors';
import { PLANS } from './plans';
import type { TokenScope, VerifiedToken } from './tokens';

export type Action = TokenScope;

export type Entitlement = { ok: true } | { ok: false; error: AppError };

export function checkEntitlement(auth: Pick<VerifiedToken, 'scopes' | 'user'>, action: Action): Entitlement {
  if (!auth.scopes.includes(action)) {
    return { ok: false, error: new AppError('scope_required', `this token lacks the "${action}" scope`, 403, { scope: action }) };
  }
  if (action === 'stream' && !PLANS[auth.user.plan].streaming) {
    return {
      ok: false,
      error: new AppError('plan_required', 'streaming needs the Firehose plan: subscribe on the dashboard and this token will work', 403, {
        plan: 'firehose',
      }),
    };
  }
  return { ok: true };
}
