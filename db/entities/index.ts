import { AuditLog } from './audit-log.entity.ts';
import { DashboardSession } from './dashboard-session.entity.ts';
import { DashboardUser } from './dashboard-user.entity.ts';
import { Lead } from './lead.entity.ts';
import { SyncCheckpoint } from './sync-checkpoint.entity.ts';
import { Tag } from './tag.entity.ts';
import { WeworkCallbackLog } from './wework-callback-log.entity.ts';
import { WeworkConfig } from './wework-config.entity.ts';
import { WeworkContactWay } from './wework-contact-way.entity.ts';
import { WeworkCustomerFollow } from './wework-customer-follow.entity.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';
import { WeworkMessage } from './wework-message.entity.ts';
import { WeworkStaff } from './wework-staff.entity.ts';
// campaigns: the send path, consent ledger and compliance settings
import { AudienceSegment, Campaign } from './campaign.entity.ts';
import { ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow } from './consent.entity.ts';
import { RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink } from './send-run.entity.ts';
import { CustomerConsumption } from './consumption.entity.ts';

export { AuditLog, DashboardSession, DashboardUser, Lead, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff };
export { CustomerConsumption };
export { AudienceSegment, Campaign, ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow, RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink };

/** The explicit entity list the ORM is configured with. */
export const entities = [
  AuditLog, DashboardSession, DashboardUser, Lead, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff,
  AudienceSegment, Campaign, ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow, RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink,
  CustomerConsumption,
];
