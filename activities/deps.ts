import type { MikroORM } from '@mikro-orm/postgresql';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { WeatherProvider } from './triggers/weather.ts';

/** What activities are given by the worker: shared clients, never per-call state. */
export interface ActivityDeps {
  orm: MikroORM;
  /** The WeCom API over the shared access token; throws WeworkNotConfiguredError until configured. */
  wecom: () => Promise<WeComApi>;
  /** This server's public address, for tracked links (/l/<code>) in messages; default http://localhost:3000. */
  publicUrl?: string;
  /** Origins a campaign image URL may come from although they are not public (the WeCom API base: the simulator in dev). */
  trustedImageOrigins?: readonly string[];
  /** automations: the weather trigger of journey branches (WEATHER_PROVIDER); simulated when absent. */
  weather?: WeatherProvider;
  /** Wakes (or starts) a staff member's notice digest workflow: their notices past WeCom's pace are queued for it. */
  wakeNoticeDigest?: (staffUserid: string) => Promise<void>;
}
