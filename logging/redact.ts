/**
 * Redaction applied to every line the product logs and to every failure message it hands to
 * Temporal. Three nets, because one is not enough: query strings of URLs (WeCom puts `corpsecret`
 * and `access_token` there), named credential fields wherever they appear, and the exact values
 * of secrets this process has handled (remembered by `rememberSecret`).
 */

const REDACTED = '[redacted]';

/** Names whose values are credentials, in a query string, a JSON body or `name: value` text. */
const SECRET_NAMES = 'corpsecret|secret|access_token|accesstoken|token|password|encoding_?aes_?key|aes_?key|welcome_?code|authorization|cookie|set-cookie|provider_access_token|suite_access_token';

const URL_QUERY = /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s#"'<>]*/gi;
const NAMED_QUERY = new RegExp(`\\b(${SECRET_NAMES})=[^&\\s"'<>]+`, 'gi');
const NAMED_JSON = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const NAMED_TEXT = new RegExp(`\\b(${SECRET_NAMES})(\\s*[:=]\\s*)(?!\\[redacted\\])[^\\s,;&"'<>]{6,}`, 'gi');

/** Secret values seen by this process (newest last); bounded so token refreshes cannot grow it. */
const remembered: string[] = [];
const REMEMBER_AT_MOST = 64;

/** Remembers a secret's exact value so that it is masked wherever it turns up later. */
export function rememberSecret(value: string | null | undefined): void {
  if (!value || value.length < 6 || remembered.includes(value)) return;
  remembered.push(value);
  if (remembered.length > REMEMBER_AT_MOST) remembered.shift();
}

/** Masks URL queries, named credentials and remembered secrets in a piece of text. */
export function redactText(text: string): string {
  let out = text
    .replace(URL_QUERY, `$1?${REDACTED}`)
    .replace(NAMED_QUERY, `$1=${REDACTED}`)
    .replace(NAMED_JSON, `$1"${REDACTED}"`)
    .replace(NAMED_TEXT, `$1$2${REDACTED}`);
  for (const secret of remembered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A JSON-safe, redacted copy of a log argument: errors become `{name, message, code}` with their
 * `cause` chain reduced the same way (never a foreign library's fields), strings are redacted,
 * credential-named keys are dropped to `[redacted]`.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 4) return '[…]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redactText(value.message),
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      ...(value.cause === undefined ? {} : { cause: redactValue(value.cause, depth + 1) }),
    };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  const secretKey = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');
  for (const [key, item] of Object.entries(value)) out[key] = secretKey.test(key) ? REDACTED : redactValue(item, depth + 1);
  return out;
}
