import type { MessageSchema } from './zh-CN.ts';

/** English messages added when the remaining hand-made forms moved onto the kit; spread into en.ts. */
export const formsEn: Pick<MessageSchema, 'forms'> = {
  forms: {
    retentionDaysInvalid: 'Enter a whole number of days from 1 to 3650, or leave it empty to keep forever',
  },
};
