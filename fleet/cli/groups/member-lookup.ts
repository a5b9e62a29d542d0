import type { Member, MemberPage } from '../../../protocol/api/members.ts';
import type { ApiClient } from '../api-client.ts';
import { CliError, EXIT } from '../cli-error.ts';

/** Members are addressed by id in the API; people read the member number off a card, so both are accepted. */
export async function findMember(api: ApiClient, idOrNumber: string): Promise<Member> {
  if (/^\d{6,12}$/.test(idOrNumber)) {
    const page = await api.get<MemberPage>('/api/members', { q: idOrNumber, limit: 50 });
    const member = page.items.find((m) => m.memberNumber === idOrNumber);
    if (member) return member;
    throw new CliError(EXIT.failed, 'MEMBER_NOT_FOUND', `no member number ${idOrNumber}`);
  }
  const detail = await api.get<{ member: Member }>(`/api/members/${encodeURIComponent(idOrNumber)}`);
  return detail.member;
}
