import type { Clock } from '../../lib/clock.js';

/**
 * Which clients are alive, for renewing push consumers' invisible time (PROTOCOL.md §7.6): a client is alive while
 * it holds a Telemetry stream open, and for `graceMs` after it was last seen (a heartbeat, a receive, a stream that
 * closed), so a reconnecting client keeps its leases and a killed one loses them soon.
 */
export class ClientLiveness {
  private readonly openStreams = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  seen(clientId: string): void {
    if (clientId !== '') this.lastSeen.set(clientId, this.clock.now());
  }

  streamOpened(clientId: string): void {
    if (clientId === '') return;
    this.openStreams.set(clientId, (this.openStreams.get(clientId) ?? 0) + 1);
    this.seen(clientId);
  }

  streamClosed(clientId: string): void {
    const open = (this.openStreams.get(clientId) ?? 0) - 1;
    if (open > 0) this.openStreams.set(clientId, open);
    else this.openStreams.delete(clientId);
    this.seen(clientId);
  }

  /** The client said goodbye (NotifyClientTermination): not alive from now on. */
  terminated(clientId: string): void {
    this.openStreams.delete(clientId);
    this.lastSeen.delete(clientId);
  }

  alive(clientId: string): boolean {
    if (this.openStreams.has(clientId)) return true;
    const seen = this.lastSeen.get(clientId);
    if (seen === undefined) return false;
    if (this.clock.now() - seen < this.graceMs) return true;
    this.lastSeen.delete(clientId);
    return false;
  }
}
