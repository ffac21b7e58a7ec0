// The CSV of tickets the import benchmarks send (bench/import.ts in-process, bench/writes.ts over POST /import).
const CATEGORIES = ['RESERVATIONS', 'FINES', 'MEMBERSHIP', 'CATALOGUE', 'CIRCULATION', 'REPORTING', 'INTERFACES'];

/** `rows` tickets (BENCH-000001, …) over the given libraries; `changed` rewrites every 10th; every 50th names work-agenda item WA-2025-03. */
export function ticketsCsv(libraryNames: string[], rows: number, changed: boolean): string {
  const lines = ['reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId'];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < rows; i++) {
    const opened = start + i * 1_500_000;
    const closed = i % 3 !== 0;
    const edit = changed && i % 10 === 0;
    lines.push(
      [
        `BENCH-${String(i + 1).padStart(6, '0')}`,
        `"${libraryNames[i % libraryNames.length].replace(/"/g, '""')}"`,
        `"Melding ${i + 1}: ${edit ? 'zelfservice-zuil start niet op' : 'reservering blijft hangen, lener gebeld'}"`,
        CATEGORIES[i % CATEGORIES.length],
        `P${(i % 4) + 1}`,
        closed ? 'CLOSED' : 'OPEN',
        new Date(opened).toISOString().replace('.000', ''),
        closed ? new Date(opened + 5_400_000).toISOString().replace('.000', '') : '',
        i % 5 === 0 ? (edit ? 'Fatima' : 'Joost') : '',
        i % 50 === 0 ? 'WA-2025-03' : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
