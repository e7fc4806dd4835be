/**
 * `portico routes [--settings PATH] [--json]`: the project's resolved URL table.
 */
import { resolveSettings, type RouteRow, routeTable } from '../web/index.ts';
import { parseOptions } from './options.ts';
import { loadSettingsFile, settingsPath } from './settings-file.ts';

/** `portico routes --help`. */
export const routesHelp = `Usage: portico routes [--settings PATH] [--json]

Prints the project's URL table in the order resolution tries it: pattern, view, name.

Options:
  --settings PATH   the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --json            print a JSON array of {pattern, view, name}
  -h, --help        show this help
`;

/** The table as aligned text columns under a header. */
export function formatRoutes(rows: readonly RouteRow[]): string {
  const cells = [['PATTERN', 'VIEW', 'NAME'], ...rows.map((r) => [`/${r.pattern}`, r.view, r.name ?? '-'])];
  const widths = [0, 1].map((c) => Math.max(...cells.map((row) => (row[c] as string).length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) => (c < 2 ? cell.padEnd(widths[c] as number) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** Runs `portico routes`; resolves to the exit code. */
export async function runRoutes(args: string[]): Promise<number> {
  const options = parseOptions('routes', args, { values: ['settings'], flags: ['json'] });
  if (options.flags.has('help')) {
    process.stdout.write(routesHelp);
    return 0;
  }
  const settings = resolveSettings(await loadSettingsFile(settingsPath(options.values.settings)));
  const rows = routeTable(settings.rootUrlconf);
  process.stdout.write(options.flags.has('json') ? `${JSON.stringify(rows, null, 2)}\n` : formatRoutes(rows));
  return 0;
}
