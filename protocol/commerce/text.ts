import { type FromSchema, object } from '../api/json-schema.ts';

/** Text a shopper reads, in the two languages of the cart screen. */
export const LocalizedTextSchema = object({
  zh: { type: 'string', minLength: 1, maxLength: 200 },
  en: { type: 'string', minLength: 1, maxLength: 200 },
});
export type LocalizedText = FromSchema<typeof LocalizedTextSchema>;
