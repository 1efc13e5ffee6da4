// A handshake refusal: an Error whose `data` socket.io sends to the client as connect_error.
import type { ConnectErrorData } from '../../lib/realtime/protocol';
import { gatewayMetrics } from '../metrics';

export function refusal(code: ConnectErrorData['code'], message: string, extra: Partial<ConnectErrorData> = {}): Error & { data: ConnectErrorData } {
  const error = new Error(message) as Error & { data: ConnectErrorData };
  error.data = { code, message, ...extra };
  gatewayMetrics.connectRefusals.inc({ code });
  return error;
}
