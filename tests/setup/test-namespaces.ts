/**
 * Namespaces created on the shared dev server, one claimed per test file: workflow ids built from
 * database ids (send-run:1, appointment:1…) are unique in production, where one database has one
 * namespace, but every test database starts its serials at 1.
 */
export const TEST_NAMESPACES = Array.from({ length: 64 }, (_, i) => `test-${String(i).padStart(2, '0')}`);
