import type { CommandErrorBody, CommandName } from '../../protocol/commands.ts';

export type CommandStatus = 'queued' | 'sent' | 'succeeded' | 'failed' | 'timed-out' | 'expired';

/** States a command never leaves. */
export const FINAL_COMMAND_STATUSES: readonly CommandStatus[] = ['succeeded', 'failed', 'timed-out', 'expired'];

/** One remote command and what became of it (the `Command` of docs/api.md). */
export interface Command {
  /** The correlation id on the wire (`commandId`), a UUID. */
  id: string;
  thingName: string;
  storeId: string | null;
  name: CommandName;
  params: Record<string, unknown>;
  status: CommandStatus;
  /** Who asked: a user name, `fleetctl`, or a service. */
  requestedBy: string;
  requestedAt: number;
  sentAt: number | null;
  completedAt: number | null;
  /**
   * Queued: when it expires if the device has not come back. Sent: the device must not carry it out after this (its
   * answer is awaited until then).
   */
  expiresAt: number;
  result: Record<string, unknown> | null;
  error: CommandErrorBody | null;
}
