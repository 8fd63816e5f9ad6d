import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Sets a customer's birthday (a stored date, see common/automations.schema.ts) and releases the
 * greeting claimed for the old date but not yet sent, so the new date claims it ("a changed
 * birthday before the send moves it"). Returns false when the birthday did not change.
 */
export async function setCustomerBirthday(em: EntityManager, customerId: number, birthday: string | null): Promise<boolean> {
  const connection = em.getConnection();
  const [row] = await connection.execute<Array<{ id: number }>>(
    `update wework_customers set birthday = ?, updated_at = now() where id = ? and birthday is distinct from ?::date returning id`, [birthday, customerId, birthday]);
  if (!row) return false;
  await connection.execute(`delete from birthday_greetings where customer_id = ? and status = 'claimed'`, [customerId]);
  return true;
}
