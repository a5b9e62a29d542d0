import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** A field that failed, in the value's own terms (`name.zh`, `gtins.1`), or `null` for the value as a whole. */
export interface FieldProblem {
  field: string | null;
  message: string;
}

// Every error at once (an import reports every bad field of every row); nothing coerced, nothing removed, as for
// HTTP bodies (fleet/http/request-validator.ts).
const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, allowUnionTypes: true });

/** A validator for one of the contract's schemas, answering every problem as field + message. */
export function schemaChecker(schema: object): (value: unknown) => FieldProblem[] {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(toProblem));
}

function toProblem(error: ErrorObject): FieldProblem {
  const path = error.instancePath.split('/').filter(Boolean);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) {
    return { field: [...path, params.missingProperty].join('.'), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && params.additionalProperty) {
    return { field: [...path, params.additionalProperty].join('.'), message: 'is not a known field' };
  }
  return { field: path.length ? path.join('.') : null, message: error.message ?? 'is invalid' };
}
