import { createHmac, timingSafeEqual } from 'node:crypto';
import { FleetError } from '../../protocol/errors.ts';

/** The sandbox provider's notification headers (plan decision 10). */
export const SANDBOX_HEADERS = {
  timestamp: 'x-sandbox-timestamp',
  nonce: 'x-sandbox-nonce',
  signature: 'x-sandbox-signature',
} as const;

/**
 * base64(HMAC-SHA256(key, `${timestamp}\n${nonce}\n${body}\n`)): the string WeChat Pay API v3 signs for its
 * notifications (there with the platform's RSA key; the sandbox uses a shared HMAC key, as Alipay's and UnionPay's
 * HMAC variants do). `timestamp` is epoch seconds, as WeChat's `Wechatpay-Timestamp`.
 */
export function signSandboxNotification(key: Buffer, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}\n${nonce}\n${body}\n`).digest('base64');
}

export interface SignedHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
}

/**
 * Checks the signature (timing-safe) and then the timestamp window; throws PAYMENT_SIGNATURE_INVALID or
 * PAYMENT_TIMESTAMP_INVALID. The signature comes first: an unsigned request learns nothing about the clock.
 * Whether the nonce was seen is stored state, the caller's to check.
 */
export function verifySandboxNotification(
  key: Buffer,
  headers: SignedHeaders,
  body: string,
  nowMs: number,
  windowMs: number,
): { timestampMs: number; nonce: string } {
  const { timestamp, nonce, signature } = headers;
  if (!timestamp || !nonce || !signature || !/^[A-Za-z0-9_-]{8,64}$/.test(nonce)) {
    throw new FleetError('PAYMENT_SIGNATURE_INVALID', 'the notification is not signed (timestamp, nonce, signature)');
  }
  const expected = Buffer.from(signSandboxNotification(key, timestamp, nonce, body), 'base64');
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new FleetError('PAYMENT_SIGNATURE_INVALID', 'the notification signature does not match');
  }
  if (!/^\d{1,12}$/.test(timestamp))
    throw new FleetError('PAYMENT_TIMESTAMP_INVALID', 'the timestamp is not epoch seconds');
  const timestampMs = Number(timestamp) * 1000;
  if (Math.abs(nowMs - timestampMs) > windowMs) {
    throw new FleetError(
      'PAYMENT_TIMESTAMP_INVALID',
      `the notification's timestamp is more than ${windowMs / 1000} s from the fleet's clock`,
    );
  }
  return { timestampMs, nonce };
}
