import ky from 'ky';

/** The weather a journey branch can test ('rainy day → skincare tip'). */
export type WeatherCondition = 'rain' | 'clear' | 'cloudy' | 'snow';

/**
 * An external trigger source: today's weather where the clinic is. Implementations are chosen by
 * configuration (WEATHER_PROVIDER); journeys only see the condition.
 */
export interface WeatherProvider {
  readonly name: string;
  /** The condition of the clinic-local day `date` ('YYYY-MM-DD'). */
  conditionOn(date: string): Promise<WeatherCondition>;
}

const CONDITIONS: readonly WeatherCondition[] = ['clear', 'cloudy', 'rain', 'clear', 'rain', 'cloudy', 'snow'];

/**
 * The development and test provider: deterministic per day (a hash of the date), or a fixed
 * answer, or a per-date table, so a demo shows variety and a test knows what each day brings.
 */
export function simulatedWeather(options: { fixed?: WeatherCondition; byDate?: Record<string, WeatherCondition> } = {}): WeatherProvider {
  return {
    name: 'simulated',
    async conditionOn(date) {
      if (options.byDate?.[date]) return options.byDate[date]!;
      if (options.fixed) return options.fixed;
      let hash = 0;
      for (const ch of date) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      return CONDITIONS[hash % CONDITIONS.length]!;
    },
  };
}

/**
 * A real provider: Open-Meteo's free daily forecast (no key) for the clinic's coordinates; WMO
 * weather codes 51–67 and 80–82 are rain, 71–77 and 85–86 snow, 0–1 clear, the rest cloudy.
 */
export function openMeteoWeather(options: { latitude: number; longitude: number; baseUrl?: string }): WeatherProvider {
  return {
    name: 'open-meteo',
    async conditionOn(date) {
      const body = await ky.get(`${options.baseUrl ?? 'https://api.open-meteo.com'}/v1/forecast`, {
        searchParams: { latitude: options.latitude, longitude: options.longitude, daily: 'weathercode', timezone: 'auto', start_date: date, end_date: date },
        retry: 0, timeout: 5_000,
      }).json<{ daily?: { weathercode?: number[] } }>();
      const code = body.daily?.weathercode?.[0] ?? 3;
      if ((code >= 51 && code <= 67) || (code >= 80 && code <= 82) || code >= 95) return 'rain';
      if ((code >= 71 && code <= 77) || code === 85 || code === 86) return 'snow';
      return code <= 1 ? 'clear' : 'cloudy';
    },
  };
}
