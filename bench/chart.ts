import { byPlatform } from './report.js';
import type { ScenarioId } from './scenarios.js';
import type { Summary } from './summary.js';

const COLORS = { reference: '#6b7280', ours: '#2563eb', peer: '#d97706', floor: '#059669' } as const;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar per scenario, in a group per platform: median throughput relative to the
 * bare route of its platform, a whisker from the lowest to the highest round, and the highest
 * ratio a target asks of it as a tick (`targets`). Plain SVG, no fonts or scripts, so GitHub
 * renders it inline.
 */
export function ratioChart(
  summaries: readonly Summary[],
  subtitle: string,
  targets: ReadonlyMap<ScenarioId, number>,
): string {
  const groups = byPlatform(summaries);
  const rows = groups.flatMap((group) => [group.heading, ...group.summaries]);
  const rowHeight = 28;
  const labelWidth = 400;
  const plotWidth = 440;
  const top = 56;
  const width = labelWidth + plotWidth + 80;
  const height = top + rows.length * rowHeight + 40;
  // noise can push a whisker past the bare route: widen the axis rather than clip it
  const highest = Math.max(...summaries.map((s) => s.ratio?.max ?? 0), ...targets.values());
  const max = Math.max(1.1, Math.ceil(highest * 10) / 10);
  const x = (ratio: number) => labelWidth + (Math.min(Math.max(ratio, 0), max) / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="16" font-weight="bold">Throughput relative to the bare Nest route of each platform (higher is better)</text>`,
    `<text x="12" y="42" fill="#4b5563">${escape(subtitle)}</text>`,
  ];
  for (let tick = 0; tick <= max + 0.0001; tick += 0.25) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 34}" stroke="#e5e7eb"/>`,
      `<text x="${tx}" y="${height - 18}" text-anchor="middle" fill="#4b5563">${tick.toFixed(2)}×</text>`,
    );
  }
  rows.forEach((summary, index) => {
    const y = top + index * rowHeight;
    if (typeof summary === 'string') {
      parts.push(`<text x="12" y="${y + 17}" font-weight="bold">${escape(summary)}</text>`);
      return;
    }
    const ratio = summary.ratio;
    const color = COLORS[summary.scenario.group];
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escape(`${summary.scenario.letter}  ${summary.scenario.label}`)}</text>`,
    );
    if (!ratio) return;
    parts.push(
      `<rect x="${labelWidth}" y="${y + 5}" width="${(x(ratio.median) - labelWidth).toFixed(1)}" height="16" fill="${color}"/>`,
      `<line x1="${x(ratio.min).toFixed(1)}" y1="${y + 13}" x2="${x(ratio.max).toFixed(1)}" y2="${y + 13}" stroke="#111827"/>`,
      `<text x="${(x(ratio.max) + 6).toFixed(1)}" y="${y + 17}">${ratio.median.toFixed(2)}×</text>`,
    );
    const target = targets.get(summary.scenario.id);
    if (target !== undefined) {
      const met = ratio.median >= target;
      parts.push(
        `<line x1="${x(target).toFixed(1)}" y1="${y + 1}" x2="${x(target).toFixed(1)}" y2="${y + 25}" stroke="${met ? '#111827' : '#dc2626'}" stroke-width="2" stroke-dasharray="3 2"><title>target ${target.toFixed(2)}×</title></line>`,
      );
    }
  });
  const legend = [
    ['reference', 'bare route'],
    ['ours', 'nest-resource-server'],
    ['peer', 'peers'],
    ['floor', 'minimal guard (floor)'],
  ] as const;
  let lx = 12;
  for (const [group, text] of legend) {
    parts.push(
      `<rect x="${lx}" y="${height - 12}" width="10" height="10" fill="${COLORS[group]}"/>`,
      `<text x="${lx + 14}" y="${height - 3}" font-size="11">${text}</text>`,
    );
    lx += 40 + text.length * 6;
  }
  parts.push(
    `<text x="${width - 12}" y="${height - 3}" font-size="11" text-anchor="end" fill="#4b5563">dashed: target · whisker: min–max over rounds</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
