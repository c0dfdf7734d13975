import type { ClientLiveness } from './client-liveness.js';
import type { PopStates } from './pop-states.js';

/**
 * Push consumers' deliveries are leased to their client (PROTOCOL.md §7.6): the broker extends a lease by `autoRenewMs`
 * when less than two renewal periods remain and the client lives; once it is gone the lease runs out and the entry
 * comes back. The handle stays the same across renewals.
 */
export function renewLeases(
  states: PopStates,
  liveness: Pick<ClientLiveness, 'alive'>,
  now: number,
  limits: { readonly autoRenewMs: number; readonly renewEveryMs: number },
): void {
  for (const s of states.list()) {
    for (const state of s.queues.values()) {
      for (const entry of state.unacked.values()) {
        const client = entry.renewFor;
        if (client === undefined || entry.visibleAt - now > 2 * limits.renewEveryMs) continue;
        if (liveness.alive(client)) state.setVisibleAt(entry, now + limits.autoRenewMs);
        else delete entry.renewFor;
      }
    }
  }
}

/** Ends every lease of a client that left: its deliveries are visible again now. Returns the topics that changed. */
export function releaseLeases(states: PopStates, clientId: string, now: number): Set<string> {
  const topics = new Set<string>();
  for (const s of states.list()) {
    for (const state of s.queues.values()) {
      for (const entry of state.unacked.values()) {
        if (entry.renewFor !== clientId) continue;
        delete entry.renewFor;
        state.setVisibleAt(entry, now);
        topics.add(s.topic);
      }
    }
  }
  return topics;
}
