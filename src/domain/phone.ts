// Phone normalisation for the HTTP layer and the roster. Not imported by the workflow: the
// libphonenumber metadata has no place in the workflow sandbox.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 form of a phone number written any usual way, or null when it is not a valid number. */
export function toE164(input: string, defaultCountry: CountryCode = 'US'): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}
