import { CallbackInboxStore, type InboxBacklog } from '../../db/callback-inbox.store.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { createCallbackRefusals, type CallbackRefusals } from './callback-refusals.ts';
import { createInboxDispatcher, type InboxDispatcher, type InboxDispatcherOptions } from './inbox-dispatcher.ts';
import { createInboxWriter, type InboxWriter } from './inbox-writer.ts';

/** The callback edge's durable half: the inbox store, its group-commit writer, the dispatcher/relay and the refusal counters. */
export interface CallbackInbox {
  store: CallbackInboxStore;
  writer: InboxWriter;
  dispatcher: InboxDispatcher;
  refusals: CallbackRefusals;
  backlog(): Promise<InboxBacklog>;
  close(): Promise<void>;
}

/** Builds the inbox on its own small pool of `databaseUrl`, dispatching through `temporal`. */
export function createCallbackInbox(options: {
  databaseUrl: string;
  temporal: Pick<TemporalGateway, 'startEventWorkflow'>;
  dispatcher?: Omit<InboxDispatcherOptions, 'store' | 'temporal'>;
  refusalsPerMinute?: number;
  now?: () => number;
}): CallbackInbox {
  const store = new CallbackInboxStore(options.databaseUrl);
  const dispatcher = createInboxDispatcher({ store, temporal: options.temporal, ...options.dispatcher });
  const refusals = createCallbackRefusals({ store, ...(options.refusalsPerMinute ? { perMinute: options.refusalsPerMinute } : {}), ...(options.now ? { now: options.now } : {}) });
  return {
    store,
    writer: createInboxWriter(store),
    dispatcher,
    refusals,
    backlog: () => store.backlog(),
    async close() {
      await dispatcher.stop();
      await refusals.stop();
      await store.close();
    },
  };
}
