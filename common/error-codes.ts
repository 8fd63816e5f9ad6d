/**
 * Every `error.code` the API answers with (SPEC §3's `{ error: { code, message } }`), plus the codes
 * the dashboard's client assigns itself. The dashboard shows a sentence per code in the user's
 * language (web/src/i18n `errors`), never the server's English `message`; a test fails when api/
 * throws a code missing here.
 */
export const API_ERROR_CODES = [
  // sign-in, sessions, roles
  'unauthenticated', 'invalid_credentials', 'too_many_attempts', 'csrf_failed', 'forbidden',
  'username_taken', 'user_not_found', 'last_admin',
  // requests
  'invalid_request', 'not_found', 'body_too_large', 'missing_parameters', 'internal_error', 'temporal_unavailable',
  // WeCom configuration and calls
  'wecom_not_configured', 'wecom_error', 'wecom_failed', 'wecom_unreachable',
  'secret_required', 'token_required', 'aes_key_required', 'bad_signature',
  // channel codes, customers, segments, exports
  'contact_way_not_found', 'state_taken', 'immutable_field', 'qr_code_missing', 'qr_code_unavailable',
  'simulator_unavailable', 'simulator_failed',
  'customer_not_found', 'tag_not_found', 'tag_update_pending',
  'segment_not_found', 'segment_name_taken', 'export_too_large', 'bulk_tag_not_found', 'bulk_tag_too_large',
  // campaigns, consent, compliance
  'invalid_state', 'forbidden_terms', 'unsupported_variable', 'term_exists', 'invalid_image', 'no_consent', 'consent_withdrawn', 'care_opt_out',
  // sign-in and edges, callbacks, privacy, automations
  'busy', 'unsupported_media_type', 'origin_not_allowed', 'password_change_required', 'payload_too_large', 'appointment_not_found', 'appointment_conflict', 'appointment_cancelled', 'wrong_password', 'same_password', 'unreadable_file', 'coupon_not_found', 'coupon_already_redeemed', 'inbox_unavailable', 'dead_letter_not_found', 'journey_channel_taken', 'journey_not_found', 'confirmation_mismatch', 'payload_undecodable', 'too_many_refused', 'database_unavailable', 'event_not_found', 'event_not_failed',
  // assigned by web/src/api/client.ts
  'unreachable', 'invalid-response', 'http-error', 'unexpected',
] as const;

/** One code of `API_ERROR_CODES`. */
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** True when `code` has a translated message. */
export function isKnownErrorCode(code: string): code is ApiErrorCode {
  return (API_ERROR_CODES as readonly string[]).includes(code);
}
