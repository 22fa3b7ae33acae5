import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RealtimeMetrics {
  registry: Registry;
  connectedSockets: Gauge;
  deliveries: Counter<'outcome'>;
  /** Seconds from the event's occurredAt to the emit; `path` is live or held. */
  deliveryLag: Histogram<'path'>;
}

/** The realtime node's own series, registered on the service's /metrics registry. */
export function createRealtimeMetrics(registry: Registry): RealtimeMetrics {
  return {
    registry,
    connectedSockets: new Gauge({
      name: 'realtime_connected_sockets',
      help: 'Sockets connected to this node',
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'realtime_deliveries_total',
      help: 'message.created events handled, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deliveryLag: new Histogram({
      name: 'realtime_delivery_lag_seconds',
      help: 'Time from message.created occurredAt to the newMessage emit',
      labelNames: ['path'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600],
      registers: [registry],
    }),
  };
}
