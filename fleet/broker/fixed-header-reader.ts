/** Why a connection's byte stream was cut before aedes read it. */
export type FrameProblem =
  | { kind: 'too-large'; packetType: number; remainingLength: number; limit: number }
  | { kind: 'malformed-length' };

/** MQTT control packet type 14 [MQTT-2.2.1]. */
const DISCONNECT = 14;

/**
 * Follows the fixed header of every MQTT packet as a connection's bytes pass, without copying or keeping them
 * [MQTT-2.2]: byte 1 holds the packet type, then 1-4 bytes of Remaining Length, 7 bits each, least significant
 * first, the high bit saying "more" [MQTT-2.2.3]; then Remaining Length bytes of the packet, which are only counted.
 *
 * aedes' parser (mqtt-packet) buffers a packet until all of its announced length has arrived and has no size limit,
 * so a client announcing 256 MB and trickling bytes holds that memory. This reader sees the announced length as soon
 * as its last byte arrives, so the connection can be closed before any of the packet is buffered.
 */
export class FixedHeaderReader {
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;
  private disconnect = false;

  /** @param maxRemainingLength the largest Remaining Length accepted, in bytes */
  constructor(private readonly maxRemainingLength: number) {}

  /** True once a complete DISCONNECT packet passed: the client ended the connection on purpose [MQTT-3.14]. */
  get disconnectSeen(): boolean {
    return this.disconnect;
  }

  /** Reads the next bytes of the stream; returns the first problem found, after which nothing more may be read. */
  read(chunk: Uint8Array): FrameProblem | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        i += skip;
        this.remaining -= skip;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'type') {
        this.packetType = byte >> 4;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        this.state = 'length';
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.lengthBytes++;
      if (byte & 0x80) {
        // [MQTT-2.2.3] at most four bytes: a fifth continuation is a malformed packet.
        if (this.lengthBytes === 4) return { kind: 'malformed-length' };
        this.multiplier *= 128;
        continue;
      }
      if (this.length > this.maxRemainingLength) {
        return {
          kind: 'too-large',
          packetType: this.packetType,
          remainingLength: this.length,
          limit: this.maxRemainingLength,
        };
      }
      if (this.packetType === DISCONNECT && this.length === 0) this.disconnect = true;
      this.remaining = this.length;
      this.state = this.remaining > 0 ? 'body' : 'type';
    }
    return undefined;
  }
}
