export const CANONICAL_FIELDS = [
  'given_name', 'middle_name', 'family_name', 'full_name',
  'dob', 'dob_year', 'dob_month', 'dob_day', 'gender',
  'ssn', 'phone', 'email',
  'house_number', 'address_line1', 'address_line2', 'city', 'state', 'postcode', 'country',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

export type RawFields = Partial<Record<CanonicalField, string | null | undefined>>;

/** A data-quality observation about one field; `code` is stable UPPER_SNAKE. */
export interface QualityFlag {
  field: string;
  code: string;
  detail?: string;
}

export interface StandardizedRecord {
  /** Standardized values and precomputed features; a missing value means the key is absent. */
  values: Record<string, string>;
  flags: QualityFlag[];
}

export interface StandardizeOptions {
  /** ISO country used for phone parsing when a number has no country code. Default 'US'. */
  defaultCountry?: string;
  /** How ambiguous NN/NN/YYYY dates are read. Default 'US' (MM/DD). */
  dateLocale?: 'US' | 'EU';
  /** Remove dots and +tags from gmail/googlemail local parts. Default false. */
  emailProviderNormalization?: boolean;
}
