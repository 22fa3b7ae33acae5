/** The two ids of a conversation, sorted: the same pair in either order gives the same result. */
export function sortedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** The unique key of the conversation between `a` and `b` (`lower:higher`). */
export function pairKeyOf(a: string, b: string): string {
  return sortedPair(a, b).join(':');
}
