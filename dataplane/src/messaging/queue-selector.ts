/**
 * Picks the physical queue for a normal message. The official client addresses every send to queue 0 (PROTOCOL.md
 * §7.1), so the queue in a request is only a hint: rotate over the topic's queues instead, as the Apache proxy does.
 */
export class QueueSelector {
  private readonly next = new Map<string, number>();

  select(topic: string, queues: number): number {
    const n = this.next.get(topic) ?? 0;
    this.next.set(topic, n + 1 >= queues ? 0 : n + 1);
    return n % queues;
  }
}
