import { NICKNAME_GROUPS } from './data/nicknameGroups.js';

/** name -> sorted canonical names it can stand for (a canonical name maps to itself). */
const CANONICALS: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, Set<string>>();
  const add = (name: string, canon: string): void => {
    let s = m.get(name);
    if (!s) m.set(name, (s = new Set()));
    s.add(canon);
  };
  for (const [canon, nicks] of Object.entries(NICKNAME_GROUPS)) {
    add(canon, canon);
    for (const n of nicks) add(n, canon);
  }
  const out = new Map<string, readonly string[]>();
  for (const [k, v] of m) out.set(k, [...v].sort());
  return out;
})();

/**
 * Space-separated canonical names for an already folded given name, or undefined when the name is not in
 * the table. Two names are nickname-equivalent when these token sets intersect.
 */
export function nicknameKey(foldedGivenName: string): string | undefined {
  const c = CANONICALS.get(foldedGivenName);
  return c ? c.join(' ') : undefined;
}

/** True when two space-separated canonical sets (from nicknameKey) share a token. */
export function nicknameKeysIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.indexOf(' ') < 0 && b.indexOf(' ') < 0) return false;
  const ta = a.split(' ');
  for (const t of b.split(' ')) if (ta.includes(t)) return true;
  return false;
}

export function nicknameTableSize(): number {
  return CANONICALS.size;
}
