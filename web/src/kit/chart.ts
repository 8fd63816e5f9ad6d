import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts';
import type { BarSeriesOption, FunnelSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type { AriaComponentOption, DatasetComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only the chart types the dashboard draws are bundled (ECharts in full is ~1 MB).
use([LineChart, BarChart, FunnelChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, AriaComponent, CanvasRenderer]);

/** The ECharts option shapes the dashboard uses (line, bar, funnel, pie). */
export type ChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | FunnelSeriesOption | PieSeriesOption
  | GridComponentOption | TooltipComponentOption | LegendComponentOption | DatasetComponentOption | AriaComponentOption
>;

/** The product's series colours: brand teal first, then hues that stay apart for colour-blind users. */
export const CHART_COLORS = ['#0f7b6c', '#2563eb', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#64748b'];
