import { CancelledFailure, CompleteAsyncError } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import { asActivityFailure } from './wecom-failure.ts';

/**
 * The one place an activity's error turns into what Temporal stores: whatever an activity throws
 * (a WeCom error that slipped past callWeCom, a database error naming a row, …) leaves the worker
 * as a plain ApplicationFailure with a redacted message and no cause chain.
 */
export const failureInterceptor = (): { inbound: ActivityInboundCallsInterceptor } => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        // Cancellation and async completion are signals to the SDK, not failures to rewrite.
        if (error instanceof CancelledFailure || error instanceof CompleteAsyncError) throw error;
        throw asActivityFailure(error);
      }
    },
  },
});
