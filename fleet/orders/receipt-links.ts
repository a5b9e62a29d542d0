import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * E-receipt links: `/receipt/{orderId}?t={token}`, the token an HMAC-SHA256 of the order id under a key of the
 * fleet's (`secrets/receipt-key`), so that a receipt opens from its QR without a sign-in and order ids cannot be
 * walked. 128 bits of the MAC are kept (22 base64url characters).
 */
export class ReceiptLinks {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: () => string,
  ) {}

  token(orderId: string): string {
    return createHmac('sha256', this.key).update(`receipt\n${orderId}`).digest().subarray(0, 16).toString('base64url');
  }

  url(orderId: string): string {
    return `${this.publicUrl()}/receipt/${orderId}?t=${this.token(orderId)}`;
  }

  verify(orderId: string, token: string): boolean {
    const expected = Buffer.from(this.token(orderId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
