/** Time-series charts with uPlot (about 50 kB, canvas, no dependencies), themed from CSS. */
import uPlot from 'uplot'
import { h } from './dom.ts'

export interface Line {
  label: string
  values: (number | null)[]
}

/** Distinct on light and dark backgrounds; the overall line uses the text colour. */
const PALETTE = [
  '#4f6bed',
  '#e5702a',
  '#1aa179',
  '#c2417a',
  '#8a63d2',
  '#c9a227',
  '#2a9bc9',
  '#7a8b2e',
]

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length]!
}

export function lineChart(options: {
  key: string
  title: string
  /** Bucket starts, ms. */
  x: number[]
  lines: Line[]
  format: (v: number) => string
  /** Axis labels, when shorter than `format`. Default: `format`. */
  axis?: (v: number) => string
  width: number
}): HTMLElement {
  const css = getComputedStyle(document.documentElement)
  const ink = css.getPropertyValue('--ink').trim() || '#222'
  const muted = css.getPropertyValue('--muted').trim() || '#888'
  const grid = css.getPropertyValue('--grid').trim() || '#eee'
  const total = options.lines[0]?.values.reduce<number>((s, v) => s + (v ?? 0), 0) ?? 0
  const el = h('div', {
    class: 'chart',
    'data-chart': options.key,
    'data-series': JSON.stringify(options.lines.map((l) => l.label)),
    'data-total': String(Math.round(total * 1e6) / 1e6),
  })
  const axis = {
    stroke: muted,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  }
  const plot = new uPlot(
    {
      width: options.width,
      height: 220,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...axis },
        {
          ...axis,
          size: 64,
          values: (_u, ticks) => ticks.map((t) => (options.axis ?? options.format)(t)),
        },
      ],
      series: [
        {},
        ...options.lines.map((line, i) => ({
          label: line.label,
          stroke: i === 0 ? ink : colour(i - 1),
          width: i === 0 ? 2 : 1.5,
          dash: i === 0 && options.lines.length > 1 ? [6, 4] : undefined,
          points: { show: options.x.length < 60 },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : options.format(v)),
        })),
      ],
    },
    [options.x.map((ms) => ms / 1000), ...options.lines.map((l) => l.values)] as uPlot.AlignedData,
    el,
  )
  void plot
  return h('div', { class: 'card chart-card' }, h('h2', {}, options.title), el)
}
