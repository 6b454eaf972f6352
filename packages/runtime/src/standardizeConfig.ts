import type { StandardizeOptions } from '@idres/core';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How records are standardized, from IDRES_DEFAULT_COUNTRY (phones without a country code; default US) and
 * IDRES_DATE_LOCALE (US: 03/04 is March 4; EU: April 3). One reading for the standardize service, the CLI's
 * in-process training and the jobs, so a file is trained on the same values the pipeline matches.
 */
export function standardizeOptionsFrom(env: Env): StandardizeOptions {
  return { defaultCountry: env['IDRES_DEFAULT_COUNTRY'] || 'US', dateLocale: env['IDRES_DATE_LOCALE'] === 'EU' ? 'EU' : 'US' };
}
