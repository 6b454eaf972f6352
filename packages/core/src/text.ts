/** Longest field value we look at; longer input is cut (and flagged) so hostile input cannot blow up cost. */
export const MAX_FIELD_LENGTH = 256;

const ASCII = /^[\x20-\x7e]*$/;

/**
 * Case- and accent-fold to upper case: decompose, drop combining marks, map a few letters that do not
 * decompose (ß, Ø, Æ, Œ, Ł, Đ, Þ), keep letters/digits of any script, turn everything else into single spaces.
 */
export function foldText(s: string, keepDigits = true): string {
  // Fast path for plain ASCII (the bulk of real input): no Unicode normalisation needed.
  if (ASCII.test(s)) {
    const u = s.toUpperCase().replace(/['`]/g, '');
    return (keepDigits ? u.replace(/[^A-Z0-9]+/g, ' ') : u.replace(/[^A-Z]+/g, ' ')).trim();
  }
  let t = s.normalize('NFKD').replace(/\p{M}+/gu, '').toUpperCase();
  t = t.replace(/[ẞß]/g, 'SS').replace(/Ø/g, 'O').replace(/Æ/g, 'AE').replace(/Œ/g, 'OE').replace(/Ł/g, 'L').replace(/Đ/g, 'D').replace(/Þ/g, 'TH');
  // Apostrophes join (O'Brien -> OBRIEN); other punctuation separates.
  t = t.replace(/['’`´]/g, '');
  t = keepDigits ? t.replace(/[^\p{L}\p{N}]+/gu, ' ') : t.replace(/[^\p{L}]+/gu, ' ');
  return t.trim();
}

/** True when the string contains at least one letter (any script). */
export function hasLetter(s: string): boolean {
  return /\p{L}/u.test(s);
}

/** True when every letter is Latin, so phonetic coding is meaningful. */
export function isLatin(s: string): boolean {
  return !/[^\p{Script=Latin}\s\d]/u.test(s);
}

/**
 * Transliteration fold of an already folded (foldText) name, so the spellings one name gets from German and
 * Nordic letters coincide: MÜLLER / MUELLER / MULLER, STRAßE / STRASSE / STRASE, SØRENSEN / SOERENSEN / SORENSEN,
 * ÅGAARD / AAGAARD / AGARD, SCHÄFER / SCHAEFER / SCHAFER. foldText already drops the diacritic (Ü -> U, Ø -> O,
 * Å -> A, ß -> SS); this also folds the digraphs the same letters are written as without them: AE, OE, UE -> A,
 * O, U (not UE after Q: QUENTIN), AA -> A, SS -> S. Only these well-known transliterations, nothing fitted to
 * data; the comparison level that uses it ("exact after transliteration") has its m and u learned like any other.
 */
export function transliterationFold(folded: string): string {
  return folded.replace(/AE/g, 'A').replace(/OE/g, 'O').replace(/(?<!Q)UE/g, 'U').replace(/AA/g, 'A').replace(/SS/g, 'S');
}
