import { join } from 'node:path';
import { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';
import { JsonDocument } from '../storage/json-document.js';

const PermissionFile = z.object({ version: z.literal(1), write: z.boolean() });
type PermissionFile = z.infer<typeof PermissionFile>;

/**
 * Whether this broker takes new messages. Turned off to drain a broker before it is removed: routes then list its
 * queues as READ (clients stop sending there) and sends that still arrive are refused, while consumers keep reading.
 * Kept in `<dataDir>/broker.json` so a restart does not silently reopen a draining broker.
 */
export class BrokerPermission {
  private readonly listeners: ((writable: boolean) => void)[] = [];

  private constructor(private readonly doc: JsonDocument<PermissionFile>) {}

  static async open(dataDir: string): Promise<BrokerPermission> {
    return new BrokerPermission(
      await JsonDocument.open(join(dataDir, 'broker.json'), PermissionFile, { version: 1, write: true }),
    );
  }

  get writable(): boolean {
    return this.doc.value.write;
  }

  async set(writable: boolean): Promise<void> {
    if (writable === this.writable) return;
    await this.doc.set({ version: 1, write: writable });
    for (const listener of this.listeners) listener(writable);
  }

  /** Called after each change (e.g. to re-register at once with the new permission). */
  onChange(listener: (writable: boolean) => void): void {
    this.listeners.push(listener);
  }

  assertWritable(): void {
    if (!this.writable) {
      throw new DataplaneError(Code.FORBIDDEN, 'this broker is read-only (draining): send to another broker');
    }
  }
}
