import { WeComClient } from './client.ts';
import type { WeComClientOptions } from './client.ts';
import { contactWayApi } from './api/contact-way.ts';
import { customerApi } from './api/customer.ts';
import { groupMsgApi } from './api/groupmsg.ts';
import { mediaApi } from './api/media.ts';
import { messageApi } from './api/messages.ts';
import { statsApi } from './api/stats.ts';
import { tagApi } from './api/tags.ts';
import { welcomeApi } from './api/welcome.ts';

/** Every WeCom API group the product uses, over one authenticated client. */
export function createWeComApi(clientOrOptions: WeComClient | WeComClientOptions) {
  const client = clientOrOptions instanceof WeComClient ? clientOrOptions : new WeComClient(clientOrOptions);
  return {
    client,
    contactWay: contactWayApi(client),
    customer: customerApi(client),
    tags: tagApi(client),
    welcome: welcomeApi(client),
    groupMsg: groupMsgApi(client),
    media: mediaApi(client),
    messages: messageApi(client),
    stats: statsApi(client),
  };
}

/** The object createWeComApi returns. */
export type WeComApi = ReturnType<typeof createWeComApi>;
