import { ID_PATTERN } from '../../../../protocol/api/parameters.ts';

/**
 * An id for something created in the console (templates, campaigns, programmes: PUT by id), from its name where the
 * name has Latin letters, with a random tail so two "Weekend promo"s do not collide; always matches ID_PATTERN.
 */
export function newId(name: string, prefix: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const tail = Math.random().toString(36).slice(2, 8);
  const id = `${slug || prefix}-${tail}`;
  return new RegExp(ID_PATTERN).test(id) ? id : `${prefix}-${tail}`;
}
