import { FleetError } from '../../protocol/errors.ts';

/**
 * Whether a member's chosen PIN is acceptable: six digits, and not among the few that make up most of the PINs
 * people choose (NIST SP 800-63B §5.1.1.2 asks verifiers to refuse "repetitive or sequential characters"): one
 * digit six times, a straight run up or down (123456, 987654), two or three digits repeated (121212, 123123).
 * MEMBER_PIN_WEAK otherwise.
 */
export function checkMemberPin(pin: string): void {
  if (!/^\d{6}$/.test(pin)) throw new FleetError('MEMBER_PIN_WEAK', 'a PIN is 6 digits');
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => d - (digits[i] as number)));
  const straight = steps.size === 1 && [...steps].every((s) => s === 0 || s === 1 || s === -1);
  const repeated = pin === pin.slice(0, 2).repeat(3) || pin === pin.slice(0, 3).repeat(2);
  if (straight || repeated) {
    throw new FleetError('MEMBER_PIN_WEAK', 'choose a PIN that is not a repeated digit, a run or a repeated pattern');
  }
}
