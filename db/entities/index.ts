import { AppointmentReminder } from './appointment-reminder.entity.ts';
import { Appointment } from './appointment.entity.ts';
import { AuditLog } from './audit-log.entity.ts';
import { AutomationSettings } from './automation-settings.entity.ts';
import { BirthdayGreeting } from './birthday-greeting.entity.ts';
import { CustomerConsent } from './customer-consent.entity.ts';
import { DashboardSession } from './dashboard-session.entity.ts';
import { DashboardUser } from './dashboard-user.entity.ts';
import { JourneyEnrollment } from './journey-enrollment.entity.ts';
import { JourneyVersion } from './journey-version.entity.ts';
import { Journey } from './journey.entity.ts';
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

export { AuditLog, DashboardSession, DashboardUser, Lead, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff };
// Automations (appointments, birthdays, journeys).
export { Appointment, AppointmentReminder, AutomationSettings, BirthdayGreeting, CustomerConsent, Journey, JourneyEnrollment, JourneyVersion };

/** The explicit entity list the ORM is configured with. */
export const entities = [
  AuditLog, DashboardSession, DashboardUser, Lead, SyncCheckpoint, Tag, WeworkCallbackLog, WeworkConfig, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage, WeworkStaff,
  Appointment, AppointmentReminder, AutomationSettings, BirthdayGreeting, CustomerConsent, Journey, JourneyEnrollment, JourneyVersion,
];
