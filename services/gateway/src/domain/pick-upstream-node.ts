/**
 * Round-robin over an upstream's nodes: the healthy ones, or every known one while none is healthy (a node
 * that came up between two health checks still gets its requests, and a dead one answers 502/503 as before).
 */
export function createUpstreamPicker(): (
  healthy: readonly string[],
  known: readonly string[],
) => string | undefined {
  let next = 0;
  return (healthy, known) => {
    const nodes = healthy.length > 0 ? healthy : known;
    if (nodes.length === 0) return undefined;
    next = (next + 1) % nodes.length;
    return nodes[next];
  };
}
