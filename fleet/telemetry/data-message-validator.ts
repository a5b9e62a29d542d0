import { Ajv } from 'ajv';
import { type DataMessage, DataMessageJsonSchema } from '../../protocol/telemetry.ts';

export type Validation = { ok: true; message: DataMessage } | { ok: false; reason: string };

/** Validates parsed `dt/...` payloads against the protocol's schema with a validator compiled once. */
export class DataMessageValidator {
  private readonly validate;

  constructor() {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    this.validate = ajv.compile<DataMessage>(DataMessageJsonSchema);
  }

  check(value: unknown): Validation {
    if (this.validate(value)) return { ok: true, message: value };
    const error = this.validate.errors?.[0];
    const where = error?.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(root)';
    return { ok: false, reason: `${where}: ${error?.message ?? 'invalid'}` };
  }
}
