/** Lower-case, compatibility-normalised text: what the directory stores and what `q` is compared with. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

/**
 * The strings a search may start: the whole username and full name, and the rest of each from every word
 * start — after a space, and where a letter or digit follows punctuation (`bert_smith` → `smith`,
 * `Carol (Ann)` → `(ann)`, `ann)`). A prefix of any of them matches, so "ann" finds "Carol (Ann)".
 */
export function searchTerms(username: string, fullName: string): string[] {
  const terms = new Set<string>();
  for (const text of [username, fullName]) {
    const chars = [...normalizeForSearch(text).trim()];
    chars.forEach((char, i) => {
      const previous = chars[i - 1];
      const wordStart =
        previous === undefined ||
        (SPACE.test(previous) && !SPACE.test(char)) ||
        (LETTER_OR_DIGIT.test(char) && !LETTER_OR_DIGIT.test(previous));
      if (wordStart) terms.add(chars.slice(i).join(''));
    });
  }
  return [...terms];
}

/**
 * The smallest string above every string that starts with `prefix` (its last code point plus one), so a
 * prefix search is the range [prefix, upper) — one that an index on the terms can serve.
 */
export function prefixUpperBound(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0) ?? 0;
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return `${chars.join('')}${String.fromCodePoint(Math.min(next, 0x10ffff))}`;
}
