/** Values that mean "no value" in real feeds; compared after folding (upper case, punctuation -> space). */
export const PLACEHOLDER_TEXT: ReadonlySet<string> = new Set([
  '', 'UNKNOWN', 'UNK', 'UNKN', 'N A', 'NA', 'NULL', 'NIL', 'NONE', 'TEST', 'TESTING', 'XXX', 'XX', 'X', 'XXXX', 'ZZZ',
  'NOT KNOWN', 'NOT AVAILABLE', 'NOT APPLICABLE', 'NOT PROVIDED', 'NOT STATED', 'NO NAME', 'NONAME', 'BLANK', 'EMPTY',
  'DUMMY', 'SAMPLE', 'ANONYMOUS', 'ANON', 'REDACTED', 'REFUSED', 'DECLINED', 'FNU', 'LNU', 'NFN', 'NMN', 'NLN', 'UNDEFINED', 'NAN',
  'BABY', 'BABY BOY', 'BABY GIRL', 'INFANT', 'DOE', 'JOHN DOE', 'JANE DOE', 'ASDF', 'QWERTY', 'ABC', 'TBD', 'TBA', 'PENDING',
]);

/** Dates used as "unknown" by source systems. */
export const PLACEHOLDER_DATES: ReadonlySet<string> = new Set([
  '1900-01-01', '1901-01-01', '1800-01-01', '1899-12-31', '1899-12-30', '1970-01-01', '9999-12-31', '2099-12-31', '1111-11-11', '1753-01-01',
]);

/** Well-known fake/advertising SSNs (the Woolworth wallet number, sequences, repeated digits). */
export const PLACEHOLDER_SSNS: ReadonlySet<string> = new Set([
  '123456789', '078051120', '111111111', '222222222', '333333333', '444444444', '555555555', '777777777', '888888888', '999999999',
  '000000000', '987654321', '219099999', '457555462', '012345678', '111223333', '123121234',
]);

export const PLACEHOLDER_EMAIL_LOCALS: ReadonlySet<string> = new Set([
  'none', 'noemail', 'no.email', 'no_email', 'noreply', 'no-reply', 'donotreply', 'do-not-reply', 'test', 'unknown', 'na', 'null', 'nobody', 'invalid', 'example', 'email', 'abc', 'xxx',
]);
export const PLACEHOLDER_EMAIL_DOMAINS: ReadonlySet<string> = new Set(['example.com', 'example.org', 'example.net', 'test.com', 'none.com', 'noemail.com', 'email.com', 'domain.com', 'invalid', 'localhost']);

export function isPlaceholderText(folded: string): boolean {
  return PLACEHOLDER_TEXT.has(folded);
}

/** All one repeated digit, or an ascending/descending run: never a real identifier. */
export function isDigitPattern(d: string): boolean {
  if (d.length === 0) return true;
  if (/^(\d)\1*$/.test(d)) return true;
  let asc = true;
  let desc = true;
  for (let i = 1; i < d.length; i++) {
    const p = d.charCodeAt(i - 1);
    const c = d.charCodeAt(i);
    if (c !== p + 1 && !(p === 57 && c === 48)) asc = false;
    if (c !== p - 1 && !(p === 48 && c === 57)) desc = false;
  }
  return asc || desc;
}
