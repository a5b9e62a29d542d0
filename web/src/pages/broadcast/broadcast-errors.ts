import { ApiError, describeError } from '../../api/api-client.ts';

/**
 * What a broadcast refusal means to the person who caused it, by its code (protocol/errors.ts); the server's own
 * message follows for the particulars (the limit, the unknown field and where it is).
 */
const HUMAN: Record<string, string> = {
  AUDIO_UNDECODABLE: 'This file is not audio the fleet can read (corrupt, truncated or another kind of file).',
  AUDIO_EMPTY: 'The file is empty: there is no audio in it.',
  AUDIO_SILENT: 'The audio is silent: nothing a shopper could hear.',
  AUDIO_TOO_LONG: 'The audio is longer than the library accepts.',
  AUDIO_TOO_LARGE: 'The file is larger than the library accepts.',
  AUDIO_NORMALISATION_FAILED: 'The audio could not be brought to the loudness target; nothing was stored.',
  FFMPEG_UNAVAILABLE: 'The fleet cannot process audio right now (ffmpeg is missing on the server).',
  ASSET_NOT_FOUND: 'That audio is no longer in the library.',
  ASSET_IN_USE: 'This audio is still used by a campaign, programme or template: remove it there first.',
  TEMPLATE_FIELD_UNKNOWN: 'The template uses a field the announcer does not know.',
  TEMPLATE_FIELD_MISSING: 'Some fields of the template have no value.',
  TEMPLATE_NOT_FOUND: 'That template no longer exists.',
  TTS_FAILED: 'The announcer could not speak this text.',
  RRULE_INVALID: 'The recurrence rule is not valid RFC 5545.',
  SCHEDULE_INVALID: 'The schedule is not valid.',
  CAMPAIGN_NOT_FOUND: 'That campaign no longer exists.',
  PROGRAMME_NOT_FOUND: 'That programme no longer exists.',
  CAMPAIGN_OPT_NOT_ALLOWED: 'HQ does not let stores opt out of this campaign.',
  EMERGENCY_ALREADY_ACTIVE: 'An emergency announcement is already playing: clear it first.',
  EMERGENCY_NOT_ACTIVE: 'No emergency announcement is playing.',
  NOT_AUTHORIZED: 'Your role does not allow this action.',
};

/** A refusal as one readable sentence, with its code. */
export function describeBroadcastError(err: unknown): string {
  if (err instanceof ApiError && HUMAN[err.code]) {
    const detail = err.message && err.message !== err.code ? ` (${err.message})` : '';
    return `${HUMAN[err.code]}${detail}`;
  }
  return describeError(err);
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof ApiError ? err.code : undefined;
}
