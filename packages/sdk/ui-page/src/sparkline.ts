/** A per-day sparkline as inline SVG (made with DOM calls, no markup strings). */
import { svg } from './dom.ts'

const WIDTH = 120
const HEIGHT = 28

export function sparkline(values: number[], max: number, days: string[]): SVGElement {
  const root = svg('svg', {
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'sparkline',
    role: 'img',
  })
  const label = svg('title')
  label.textContent = values.map((v, i) => `${(days[i] ?? '').slice(0, 10)}: ${v}`).join('\n')
  root.append(label)
  if (values.length === 0) return root
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0
  const y = (v: number) => HEIGHT - 2 - (v / max) * (HEIGHT - 4)
  const points = values.map(
    (v, i) => `${(values.length > 1 ? i * step : WIDTH / 2).toFixed(1)},${y(v).toFixed(1)}`,
  )
  if (values.length === 1) points.unshift(`0,${y(values[0]!).toFixed(1)}`)
  root.append(svg('polyline', { points: points.join(' '), fill: 'none', class: 'spark-line' }))
  return root
}
