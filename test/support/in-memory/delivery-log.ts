import type { DeliveryLog } from '../../../shared/ports/delivery-log.ts';

/** {@link DeliveryLog} in memory: ids with their expiry. */
export class InMemoryDeliveryLog implements DeliveryLog {
  readonly expiries = new Map<string, number>();

  async record(deliveryId: string, now: number, ttlSeconds: number): Promise<boolean> {
    if ((this.expiries.get(deliveryId) ?? -Infinity) >= now) return false;
    this.expiries.set(deliveryId, now + ttlSeconds * 1000);
    return true;
  }

  async seen(deliveryId: string, now: number): Promise<boolean> {
    return (this.expiries.get(deliveryId) ?? -Infinity) >= now;
  }
}
