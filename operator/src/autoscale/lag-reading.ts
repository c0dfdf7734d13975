/**
 * A consumer group's lag as the autoscalers see it: messages not yet consumed (ready plus in flight) over the counted
 * topics and every broker group, or unknown when some broker did not answer. Unknown is never read as zero.
 */
export type LagReading =
  | { readonly kind: 'known'; readonly messages: number }
  | { readonly kind: 'unknown'; readonly reason: string };
