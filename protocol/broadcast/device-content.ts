import { APP, THING_NAME_PATTERN } from '../topics.ts';
import { PLAYS_STREAM } from './proof-of-play.ts';

/**
 * The fleet's HTTPS endpoints for devices (mTLS with the device's own certificate, `deviceHttps.port`, default
 * 8443): every path is built and parsed here, and nowhere else.
 */
export const DEVICE_HTTPS_PREFIX = '/device/v1';
export const DEFAULT_DEVICE_HTTPS_PORT = 8443;

const SHA256 = /^[0-9a-f]{64}$/;

export const deviceContentPaths = {
  /** An asset's file, by its sha256 (Range, If-Range, ETag = the sha256). */
  content(sha256: string): string {
    return `${DEVICE_HTTPS_PREFIX}/content/${sha256}`;
  },
  /** The calling thing's manifest of this version (its own only). */
  manifest(version: number): string {
    return `${DEVICE_HTTPS_PREFIX}/broadcast/manifests/${version}`;
  },
  /** Route patterns (Fastify-style parameters would add a dependency the device server does not need). */
  contentPattern: new RegExp(`^${DEVICE_HTTPS_PREFIX}/content/([0-9a-f]{64})$`),
  manifestPattern: new RegExp(`^${DEVICE_HTTPS_PREFIX}/broadcast/manifests/([1-9][0-9]{0,14})$`),
};

/** The sha256 a content path names, or undefined. */
export function parseContentPath(path: string): string | undefined {
  const match = deviceContentPaths.contentPattern.exec(path)?.[1];
  return match && SHA256.test(match) ? match : undefined;
}

/** The manifest version a manifest path names, or undefined. */
export function parseManifestPath(path: string): number | undefined {
  const match = deviceContentPaths.manifestPattern.exec(path)?.[1];
  return match === undefined ? undefined : Number(match);
}

/** `dt/cartfleet/{thing}/plays`: proof of play through the device's outbox. */
export const playTopics = {
  publish(thingName: string): string {
    return `dt/${APP}/${thingName}/${PLAYS_STREAM}`;
  },
  /** What the fleet's play ingest takes (before the telemetry ingest sees the `dt/` prefix). */
  filter(): string {
    return `dt/${APP}/+/${PLAYS_STREAM}`;
  },
};

/** The thing a plays topic names, or undefined when the topic is not a plays topic. */
export function parsePlaysTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'dt' || parts[1] !== APP || parts[3] !== PLAYS_STREAM) return undefined;
  const thingName = parts[2] ?? '';
  return THING_NAME_PATTERN.test(thingName) ? thingName : undefined;
}
