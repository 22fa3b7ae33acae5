import { Gauge } from 'prom-client';
import { libraryRegistry } from '../http/metrics.js';

export type DeadLetterDepths = () => Promise<Array<{ queue: string; messages: number }>>;

const sources = new Set<DeadLetterDepths>();

// One gauge per process on the library registry, which every service's /metrics includes: each broker
// adds its dead-letter queues, read from RabbitMQ at every scrape, so an alarm can watch them fill.
new Gauge({
  name: 'amqp_dead_letter_queue_messages',
  help: 'Messages waiting in each dead-letter queue this process consumes for (read at each scrape)',
  labelNames: ['queue'],
  registers: [libraryRegistry],
  async collect() {
    this.reset();
    const results = await Promise.allSettled([...sources].map((source) => source()));
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      for (const { queue, messages } of result.value) this.set({ queue }, messages);
    }
  },
});

/** Adds a source of dead-letter queue depths to the gauge; returns its removal. */
export function reportDeadLetterDepths(source: DeadLetterDepths): () => void {
  sources.add(source);
  return () => sources.delete(source);
}
