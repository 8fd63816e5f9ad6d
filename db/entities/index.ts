import { AppointmentReminder } from './appointment-reminder.entity.ts';
import { Appointment } from './appointment.entity.ts';
import { AuditLog } from './audit-log.entity.ts';
import { CustomerSegment } from './customer-segment.entity.ts';
import { AutomationSettings } from './automation-settings.entity.ts';
import { BirthdayDay } from './birthday-day.entity.ts';
import { BirthdayGreeting } from './birthday-greeting.entity.ts';
import { DashboardSession } from './dashboard-session.entity.ts';
import { FollowDailyStat } from './follow-daily-stat.entity.ts';
import { ChannelTotal, CustomerTotal } from './stats-totals.entity.ts';
import { DashboardUser } from './dashboard-user.entity.ts';
import { JourneyEnrollment } from './journey-enrollment.entity.ts';
import { JourneyVersion } from './journey-version.entity.ts';
import { Journey } from './journey.entity.ts';
import { Lead } from './lead.entity.ts';
import { LoginAttempt } from './login-attempt.entity.ts';
import { PrivacySettings } from './privacy-settings.entity.ts';
import { SyncCheckpoint } from './sync-checkpoint.entity.ts';
import { SyncGeneration } from './sync-generation.entity.ts';
import { Tag } from './tag.entity.ts';
import { WeworkCallbackInbox } from './wework-callback-inbox.entity.ts';
import { WeworkCallbackLog } from './wework-callback-log.entity.ts';
import { WeworkCallbackRejection } from './wework-callback-rejection.entity.ts';
import { WeworkConfig } from './wework-config.entity.ts';
import { WeworkContactWay } from './wework-contact-way.entity.ts';
import { WeworkCustomerFollow } from './wework-customer-follow.entity.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';
import { WeworkMessage } from './wework-message.entity.ts';
import { WeworkStaff } from './wework-staff.entity.ts';
// campaigns: the send path, consent ledger and compliance settings
import { Campaign } from './campaign.entity.ts';
import { ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow } from './consent.entity.ts';
import { RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink } from './send-run.entity.ts';
import { CustomerConsumption } from './consumption.entity.ts';
import { CampaignMedia } from './campaign-media.entity.ts';
import { BulkTagItem, BulkTagJob } from './bulk-tag-job.entity.ts';
import { StaffBehaviorDaily } from './staff-behavior-daily.entity.ts';

export { AuditLog, CustomerSegment, DashboardSession, FollowDailyStat, DashboardUser, Lead, LoginAttempt, PrivacySettings, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff };
export { WeworkCallbackInbox, WeworkCallbackRejection };
// The customer sync's generations ("lost since this sync").
export { SyncGeneration };
// Automations (appointments, birthdays, journeys).
export { Appointment, AppointmentReminder, AutomationSettings, BirthdayDay, BirthdayGreeting, Journey, JourneyEnrollment, JourneyVersion };
export { CampaignMedia, CustomerConsumption };
export { BulkTagItem, BulkTagJob, StaffBehaviorDaily };
// Trigger-kept totals of the statistics: customers not lost, all-time figures per channel.
export { ChannelTotal, CustomerTotal };
export { Campaign, ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow, RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink };

/** The explicit entity list the ORM is configured with. */
export const entities = [
  AuditLog, CustomerSegment, DashboardSession, FollowDailyStat, DashboardUser, Lead, LoginAttempt, PrivacySettings, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff,
  WeworkCallbackInbox, WeworkCallbackRejection,
  Appointment, AppointmentReminder, AutomationSettings, BirthdayDay, BirthdayGreeting, Journey, JourneyEnrollment, JourneyVersion,
  Campaign, ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow, RateWindow, SendBatch, SendRecipient, SendRun, TrackedLink,
  CustomerConsumption, CampaignMedia,
  BulkTagItem, BulkTagJob, StaffBehaviorDaily,
  SyncGeneration,
  ChannelTotal, CustomerTotal,
];
