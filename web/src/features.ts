/**
 * Server features the client shows controls for. Each flag is on once the gateway serves the feature; a
 * control for a feature that is off is not rendered at all.
 */
export const features = {
  conversations: true,
  readReceipts: true,
  editDelete: true,
  typing: true,
  blocking: true,
} as const;
