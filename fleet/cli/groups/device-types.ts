/**
 * The device shapes of docs/api.md, as fleetctl reads them. The summary is the server's own type; the rest is
 * declared here because the server builds it without naming it.
 */
export type { DeviceSummary } from '../../http/device-view.ts';

import type { DeviceSummary } from '../../http/device-view.ts';

export interface ShadowView {
  desired: Record<string, unknown> | null;
  reported: Record<string, unknown> | null;
  delta: Record<string, unknown> | null;
  version: number;
  metadata: unknown;
  /** In docs/api.md; not every server version sends it. */
  timestamp?: number;
}

export interface CertificateView {
  certificateId: string;
  status: string;
  notBefore: number;
  notAfter: number;
  createdAt: number;
  revokedAt: number | null;
}

export type DeviceDetail = DeviceSummary & {
  latest: Record<string, { ts: number; metrics: Record<string, unknown> }>;
  shadow: ShadowView | null;
  namedShadows: Record<string, ShadowView>;
  certificates: CertificateView[];
};
