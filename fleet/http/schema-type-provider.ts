import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { FromSchema } from '../../protocol/api/json-schema.ts';

/**
 * Types every route from its own schemas (protocol/api/): a handler receives what its querystring, params and body
 * schemas let through (defaults filled), and must return what its response schema declares. Renaming a field in the
 * contract therefore fails the build where a route builds or reads it, not at run time in a client.
 */
export interface ContractTypeProvider extends FastifyTypeProvider {
  validator: FromSchema<this['schema'], 'checked'>;
  serializer: FromSchema<this['schema']>;
}

/** The Fastify instance the route files register on. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ContractTypeProvider
>;
