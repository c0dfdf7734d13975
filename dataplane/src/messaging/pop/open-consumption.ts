import { ClientLiveness } from './client-liveness.js';
import { Consumption, type ConsumptionDeps } from './consumption.js';
import { type DeadLetterDeps, DeadLetters } from './dead-letters.js';
import { PopJournal } from './pop-journal.js';

export interface OpenConsumptionOptions extends Omit<ConsumptionDeps, 'journal' | 'deadLetters' | 'liveness'> {
  readonly store: ConsumptionDeps['store'] &
    DeadLetterDeps['store'] & { readonly config: { readonly dataDir: string; readonly flush: string } };
  readonly topics: ConsumptionDeps['topics'] & DeadLetterDeps['topics'];
  readonly onDeadLetter?: DeadLetterDeps['onDeadLetter'];
  /** How long a client counts as alive after it was last seen (default 30 s). */
  readonly clientGraceMs?: number;
}

/** Opens the pop state in `<data dir>/pop` (replaying what the last run journaled) with its collaborators. */
export async function openConsumption(
  options: OpenConsumptionOptions,
): Promise<{ consumption: Consumption; liveness: ClientLiveness }> {
  const { store, topics, log } = options;
  const { journal, replay } = await PopJournal.open(store.config.dataDir, store.config.flush === 'sync', log);
  const liveness = new ClientLiveness(options.clock, options.clientGraceMs ?? 30_000);
  const deadLetters = new DeadLetters({
    store,
    topics,
    ...(options.onDeadLetter && { onDeadLetter: options.onDeadLetter }),
  });
  const consumption = await Consumption.open({ ...options, journal, liveness, deadLetters }, replay);
  return { consumption, liveness };
}
