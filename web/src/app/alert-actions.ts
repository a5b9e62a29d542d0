import { api, describeError, enc } from '../api/api-client.ts';
import type { Alert, AlertCause } from '../api/types.ts';
import { toast } from './toasts.ts';

/** Acknowledge or resolve an alert; returns the updated alert, or null after showing why it failed. */
export async function changeAlert(
  alert: Alert,
  action: 'acknowledge' | 'resolve',
  note?: string,
): Promise<Alert | null> {
  try {
    const updated = await api.post<Alert>(`/api/alerts/${enc(alert.id)}/${action}`, note ? { note } : {});
    toast('success', `Alert on ${alert.thingName} ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}.`);
    return updated;
  } catch (err) {
    toast('error', describeError(err));
    return null;
  }
}

export const CAUSE_LABELS: Record<AlertCause, string> = {
  'battery-low': 'Battery low',
  offline: 'Offline',
  'temperature-high': 'Temperature high',
  fault: 'Fault',
};
