/**
 * Where customer-contact workflows hand over to automations (channel journeys, birthday and
 * appointment reminders). The automations feature plugs in here — by starting or signalling its
 * per-customer workflows — and every caller already passes what it needs. Until that feature
 * exists there is nothing to start or stop, and these return at once.
 */

/** A customer that automations may act on. */
export interface AutomationSubject {
  customerId: number;
  externalUserId: string;
  userId: string;
  state: string | undefined;
}

/** Called when onboarding has finished: the customer is recorded, tagged and greeted. */
export async function handOverToAutomations(_subject: AutomationSubject): Promise<void> {}

/** Called when a relationship is lost: pending automations for the customer must stop. */
export async function stopAutomationsFor(_subject: Omit<AutomationSubject, 'customerId' | 'state'>): Promise<void> {}
