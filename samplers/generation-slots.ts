/**
 * Generation slots for population samplers (CMA-ES, DE) that run several trials at once: each
 * trial claims a slot of the current generation through the storage (so no two processes share
 * one), and the slot number says which member of the population the trial evaluates.
 *
 * slot value = generation * SLOT_BASE + index. The first `population` indices are the
 * generation's members; the spare ones above them cover more workers than members, and trials
 * that FAILed and were replaced.
 */
export const SLOT_BASE = 2 ** 20;

export class GenerationSlots {
  private cached: { generation: number; values: number[] } | null = null;

  /** The claim candidates of a generation: its members' slots, then spares. */
  candidates(generation: number, population: number): number[] {
    if (!this.cached || this.cached.generation !== generation) {
      const count = population + Math.max(1000, 10 * population);
      this.cached = { generation, values: Array.from({ length: count }, (_, i) => generation * SLOT_BASE + i) };
    }
    return this.cached.values;
  }
}

/**
 * The index in the current generation of a claimed slot. A slot of an older generation (another
 * process moved on between the claim and the sampling) becomes an extra draw of the current one,
 * with an index that no claim hands out.
 */
export function slotIndex(slot: number, generation: number, trialNumber: number): number {
  return Math.floor(slot / SLOT_BASE) === generation ? slot % SLOT_BASE : SLOT_BASE / 2 + trialNumber;
}
