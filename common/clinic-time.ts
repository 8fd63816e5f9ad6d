/**
 * The clinic's time zone: "today", day/week/month buckets and compact dates on the dashboard are
 * all in this zone, whatever the browser's or the server's own zone is (SPEC §2.8, §2.10).
 */
export const CLINIC_TIME_ZONE = 'Asia/Shanghai';
